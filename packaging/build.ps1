<#
.SYNOPSIS
    Build npc-crf for Windows: the PyInstaller folder dist\npc-crf and, when Inno Setup is
    available, the per-user installer dist\npc-crf-<version>-setup-x64.exe.

.DESCRIPTION
    Run from anywhere on a Windows 10/11 x64 machine with 64-bit Python 3.11 or newer:

        powershell -ExecutionPolicy Bypass -File packaging\build.ps1 [-Installer]

    Steps (each one stops the build with a non-zero exit code when it fails):
      1. create or refresh the build environment build\venv: pip install .[build];
      2. compile the interface translations resources\i18n\*.ts into npc_crf\ui\i18n\*.qm
         (what scripts/bootstrap.sh does on Linux);
      3. run PyInstaller with packaging\npc-crf.spec into dist\npc-crf;
      4. run dist\npc-crf\npc-crf.exe --self-test with QT_QPA_PLATFORM=offscreen;
      5. report the build time and the folder's size;
      6. compile packaging\windows\npc-crf.iss with ISCC.exe (Inno Setup 6.3 or newer) when it
         is found, or always with -Installer (then a missing ISCC.exe is an error).
    docs/packaging.md describes the build; docs/windows-install.md the installer.

.PARAMETER Python
    The Python 3.11+ (64-bit) that creates build\venv. Default: "python" on the PATH.

.PARAMETER Installer
    Build the installer too, and fail when ISCC.exe cannot be found.

.PARAMETER Iscc
    The full path of ISCC.exe, when it is not on the PATH or in Inno Setup's default folder.
#>
[CmdletBinding()]
param(
    [string]$Python = 'python',
    [switch]$Installer,
    [string]$Iscc = ''
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
# PowerShell 7.3+ would also turn a native program's non-zero exit into an error on its own;
# keep one rule for every PowerShell version: the exit code is checked after each native call.
$PSNativeCommandUseErrorActionPreference = $false

$Root = Split-Path -Parent $PSScriptRoot
Set-Location $Root

$Spec = Join-Path $Root 'packaging\npc-crf.spec'
$IssScript = Join-Path $Root 'packaging\windows\npc-crf.iss'
$Venv = Join-Path $Root 'build\venv'
$VenvPython = Join-Path $Venv 'Scripts\python.exe'
$Dist = Join-Path $Root 'dist'
$AppDir = Join-Path $Dist 'npc-crf'

function Write-Step([string]$Message) {
    Write-Host "build.ps1: $Message"
}

function Assert-ExitCode([string]$What) {
    # $LASTEXITCODE is the exit code of the last native program that ran.
    if ($LASTEXITCODE -ne 0) {
        throw "build.ps1: $What failed with exit code $LASTEXITCODE."
    }
}

function Find-Iscc {
    if ($Iscc -ne '') {
        if (-not (Test-Path -LiteralPath $Iscc -PathType Leaf)) {
            throw "build.ps1: -Iscc $Iscc does not exist."
        }
        return $Iscc
    }
    $onPath = Get-Command 'ISCC.exe' -ErrorAction SilentlyContinue
    if ($onPath) { return $onPath.Source }
    # the default folders of an all-users and of a per-user installation ("Inno Setup 6", or a
    # later major version; the newest wins)
    $bases = @()
    if (${env:ProgramFiles(x86)}) { $bases += ${env:ProgramFiles(x86)} }
    if ($env:ProgramFiles) { $bases += $env:ProgramFiles }
    if ($env:LOCALAPPDATA) { $bases += Join-Path $env:LOCALAPPDATA 'Programs' }
    $found = @(
        foreach ($base in $bases) {
            if (Test-Path -LiteralPath $base) {
                Get-ChildItem -LiteralPath $base -Directory -Filter 'Inno Setup *' |
                    ForEach-Object { Join-Path $_.FullName 'ISCC.exe' } |
                    Where-Object { Test-Path -LiteralPath $_ -PathType Leaf }
            }
        }
    )
    if ($found.Count -eq 0) { return $null }
    return ($found | Sort-Object -Descending { Split-Path -Leaf (Split-Path -Parent $_) } | Select-Object -First 1)
}

$clock = [System.Diagnostics.Stopwatch]::StartNew()

# --- 1. The build environment -----------------------------------------------------------------
# (No double quotes inside native arguments: Windows PowerShell 5.1 does not escape them.)
& $Python -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) and sys.maxsize > 2**32 else 1)'
if ($LASTEXITCODE -ne 0) {
    throw "build.ps1: $Python is not a 64-bit Python 3.11 or newer; pass -Python C:\path\to\python.exe."
}
if (-not (Test-Path -LiteralPath $VenvPython -PathType Leaf)) {
    Write-Step "creating the build environment $Venv"
    & $Python -m venv $Venv
    Assert-ExitCode 'creating the virtual environment'
}
Write-Step 'installing npc-crf and PyInstaller into the build environment (pip install .[build])'
& $VenvPython -m pip install --quiet --upgrade pip
Assert-ExitCode 'upgrading pip'
& $VenvPython -m pip install --quiet '.[build]'
Assert-ExitCode 'pip install .[build]'

# --- 2. Translations --------------------------------------------------------------------------
$lrelease = Join-Path $Venv 'Scripts\pyside6-lrelease.exe'
$qmDir = Join-Path $Root 'npc_crf\ui\i18n'
New-Item -ItemType Directory -Force -Path $qmDir | Out-Null
$tsFiles = @(Get-ChildItem -Path (Join-Path $Root 'resources\i18n') -Filter '*.ts' -File)
if ($tsFiles.Count -eq 0) {
    throw 'build.ps1: resources\i18n holds no .ts translation file.'
}
foreach ($ts in $tsFiles) {
    $qm = Join-Path $qmDir ($ts.BaseName + '.qm')
    Write-Step "compiling $($ts.Name) into npc_crf\ui\i18n\$($ts.BaseName).qm"
    & $lrelease -silent $ts.FullName -qm $qm
    Assert-ExitCode "pyside6-lrelease $($ts.Name)"
}

# --- 3. PyInstaller ---------------------------------------------------------------------------
$version = & $VenvPython -c 'import npc_crf; print(npc_crf.__version__)'
Assert-ExitCode 'reading npc_crf.__version__'
$version = "$version".Trim()
# The numeric x.y.z for the installer's file properties (0.2.0rc1 gives 0.2.0).
$numbers = @([regex]::Matches($version, '\d+') | Select-Object -First 3 | ForEach-Object { $_.Value })
while ($numbers.Count -lt 3) { $numbers += '0' }
$fileVersion = $numbers -join '.'

Write-Step "building npc-crf $version with PyInstaller ($Spec)"
$pyinstallerClock = [System.Diagnostics.Stopwatch]::StartNew()
& $VenvPython -m PyInstaller $Spec --noconfirm --clean --distpath dist --workpath 'build\pyinstaller'
Assert-ExitCode 'PyInstaller'
$pyinstallerClock.Stop()
foreach ($exe in @('npc-crf.exe', 'npc-crf-gui.exe')) {
    if (-not (Test-Path -LiteralPath (Join-Path $AppDir $exe) -PathType Leaf)) {
        throw "build.ps1: PyInstaller did not make dist\npc-crf\$exe."
    }
}

# --- 4. Self-test of the built program --------------------------------------------------------
Write-Step 'running dist\npc-crf\npc-crf.exe --self-test'
$previousPlatform = $env:QT_QPA_PLATFORM
$env:QT_QPA_PLATFORM = 'offscreen'
try {
    & (Join-Path $AppDir 'npc-crf.exe') --self-test
    Assert-ExitCode 'npc-crf.exe --self-test'
}
finally {
    $env:QT_QPA_PLATFORM = $previousPlatform
}

# --- 5. Time and size -------------------------------------------------------------------------
$files = @(Get-ChildItem -LiteralPath $AppDir -Recurse -File)
$bytes = ($files | Measure-Object -Property Length -Sum).Sum
Write-Step ('dist\npc-crf: {0} files, {1:N1} MB; PyInstaller took {2:N0} s, the whole build so far {3:N0} s' -f `
    $files.Count, ($bytes / 1MB), $pyinstallerClock.Elapsed.TotalSeconds, $clock.Elapsed.TotalSeconds)

# --- 6. Installer -----------------------------------------------------------------------------
$isccPath = Find-Iscc
if (-not $isccPath) {
    if ($Installer) {
        throw 'build.ps1: -Installer was given but ISCC.exe (Inno Setup 6.3 or newer) was not found; install Inno Setup or pass -Iscc C:\path\to\ISCC.exe.'
    }
    Write-Step 'ISCC.exe (Inno Setup) not found: the installer was not built (pass -Installer to require it).'
    exit 0
}
Write-Step "building the installer with $isccPath"
if (Test-Path -LiteralPath (Join-Path (Split-Path -Parent $isccPath) 'Languages\ChineseSimplified.isl')) {
    Write-Step 'setup languages: English and Simplified Chinese'
}
else {
    Write-Step 'setup languages: English only (this Inno Setup has no Languages\ChineseSimplified.isl; see docs/windows-install.md)'
}
& $isccPath /Q "/DAppVersion=$version" "/DAppFileVersion=$fileVersion" $IssScript
Assert-ExitCode 'ISCC.exe packaging\windows\npc-crf.iss'
$setupExe = Join-Path $Dist "npc-crf-$version-setup-x64.exe"
if (-not (Test-Path -LiteralPath $setupExe -PathType Leaf)) {
    throw "build.ps1: ISCC.exe finished but $setupExe is missing."
}
Write-Step ('installer: {0} ({1:N1} MB); total {2:N0} s' -f $setupExe, ((Get-Item -LiteralPath $setupExe).Length / 1MB), $clock.Elapsed.TotalSeconds)
exit 0
