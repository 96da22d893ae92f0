; npc-crf Windows installer (Inno Setup 6.3 or newer).
;
; Installs the PyInstaller build dist\npc-crf\ (packaging/npc-crf.spec) for the current user
; only, without administrator rights, into %LOCALAPPDATA%\Programs\npc-crf, with Start-menu
; entries and an uninstaller. packaging\build.ps1 compiles it:
;
;   ISCC.exe /DAppVersion=0.1.0 /DAppFileVersion=0.1.0 packaging\windows\npc-crf.iss
;
; and the setup program lands in dist\ (npc-crf-<version>-setup-x64.exe). docs/windows-install.md
; explains the result for site coordinators.
;
; Rules this script keeps (tests/test_packaging_windows.py checks them):
; * per user, never elevated, never into Program Files;
; * the site data (%LOCALAPPDATA%\npc-crf\site) and the preferences (%LOCALAPPDATA%\npc-crf)
;   are the program's own: this script never installs, deletes or uninstalls anything there.
;   An upgrade leaves them in place and the new program migrates the database at the next
;   login, after an automatic "pre-migration" backup (docs/store.md).
; * the script is plain ASCII: Inno Setup reads a script without a byte-order mark as ANSI.

; Backslashes in the preprocessor strings below are path separators, not escapes.
#pragma parseroption -p+

#if VER < EncodeVer(6, 3, 0)
  #error Inno Setup 6.3 or newer is needed (ArchitecturesAllowed=x64compatible).
#endif

; The version comes from the build, never from this file, so it cannot drift from
; npc_crf.__version__: packaging\build.ps1 reads the package and passes /DAppVersion=...
#ifndef AppVersion
  #error AppVersion is not defined: compile with ISCC /DAppVersion=<npc_crf.__version__> (packaging\build.ps1 does).
#endif
; The numeric x.y.z for the setup program's file properties (a version such as 0.2.0rc1 is not
; numeric); build.ps1 passes it, and a plain x.y.z AppVersion serves as its own.
#ifndef AppFileVersion
  #define AppFileVersion AppVersion
#endif

; The folder the spec produces (pyinstaller ... --distpath dist): dist\npc-crf at the repository
; root, two levels above this script. SourcePath is this script's folder (ISPP).
#ifndef DistDir
  #define DistDir SourcePath + "..\..\dist\npc-crf"
#endif

#define AppName "npc-crf"
#define GuiExe "npc-crf-gui.exe"
#define CliExe "npc-crf.exe"

[Setup]
; The AppId identifies npc-crf to Windows and to every later setup program: upgrades find the
; previous installation (its folder, its uninstaller) through it. It must NEVER change between
; releases; a new GUID would install a second copy beside the first. ({{ escapes the brace.)
AppId={{5A9BFE71-4485-47B9-8FEC-589CCDF9FEEF}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppName}
VersionInfoVersion={#AppFileVersion}
VersionInfoProductName={#AppName}
VersionInfoDescription={#AppName} setup

; Per user, without administrator rights. "lowest" means Setup never asks for elevation and
; always runs in non administrative install mode, even when an administrator starts it.
; PrivilegesRequiredOverridesAllowed is deliberately not set: with it the user (dialog) or the
; command line (/ALLUSERS) could switch to an all-users install into Program Files, which ward
; PCs must not get. /CURRENTUSER is still accepted on the command line (it is the only mode).
PrivilegesRequired=lowest

; Where the program goes: {userpf} is %LOCALAPPDATA%\Programs, the per-user program folder
; Windows itself uses. {autopf} would resolve to the same folder in this non-administrative
; mode, but to Program Files if the mode were ever changed, so the per-user folder is named
; explicitly. The program folder holds the program only: user data lives in
; %LOCALAPPDATA%\npc-crf (platformdirs), which is a different folder.
DefaultDirName={userpf}\{#AppName}
; Nurses are not asked where to install (a data manager can still pass /DIR="...").
DisableDirPage=yes
; The Start-menu folder "npc-crf" in the user's own Start menu ({group} is per user in
; non administrative install mode); not asked either.
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes

; 64-bit only (the build is x64 Python and Qt). x64compatible also admits Windows 11 on Arm,
; which runs x64 programs under emulation.
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
; Windows 10 version 1809 (build 17763) or newer, as Qt 6.8 requires.
MinVersion=10.0.17763

; Closing a running copy before an upgrade: Setup asks the Windows Restart Manager which
; programs hold the files it replaces and offers to close them (in a silent install it closes
; them unless /NOCLOSEAPPLICATIONS is given). The filter adds Python extension modules (.pyd),
; which the running program keeps open, to the default *.exe,*.dll. They are not restarted
; afterwards: the user starts npc-crf again and logs in. An AppMutex check would be better, but
; npc-crf creates no named mutex yet (see docs/windows-install.md); none is invented here.
CloseApplications=yes
CloseApplicationsFilter=*.exe,*.dll,*.pyd
RestartApplications=no

UninstallDisplayName={#AppName}
UninstallDisplayIcon={app}\{#GuiExe}
WizardStyle=modern
ShowLanguageDialog=auto
Compression=lzma2/max
SolidCompression=yes
; A setup log in %TEMP% (Setup Log <date>.txt) for support; it holds paths, never clinical data.
SetupLogging=yes
OutputDir={#SourcePath}..\..\dist
OutputBaseFilename={#AppName}-{#AppVersion}-setup-x64

[Languages]
; (ShowLanguageDialog=auto in [Setup]: the language follows Windows' display language, and Setup
; asks only when it is neither English nor Simplified Chinese.)
Name: "english"; MessagesFile: "compiler:Default.isl"
; Simplified Chinese: for a long time one of Inno Setup's unofficial translations, which are not
; installed with the compiler. Included whenever the compiler has the file, else the setup
; program is English only (docs/windows-install.md says how to add the file).
#if FileExists(CompilerPath + "Languages\ChineseSimplified.isl")
Name: "chinesesimplified"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"
#endif

[InstallDelete]
; The previous version's libraries, so an upgrade never mixes two versions' files in
; _internal\ (the new version brings a complete copy). Program files only: never user data.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
; Everything the PyInstaller build made: npc-crf.exe, npc-crf-gui.exe and _internal\.
Source: "{#DistDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
; The desktop application (windowed, no console).
Name: "{group}\npc-crf"; Filename: "{app}\{#GuiExe}"; WorkingDir: "{app}"; Comment: "npc-crf case report forms"
; The installation check: a console that runs "npc-crf.exe --self-test" and stays open (/k) so
; the list of checks can be read. Quoting: cmd strips the outer pair of quotes around the
; command, leaving "C:\...\npc-crf.exe" --self-test, which works with spaces in the path.
Name: "{group}\npc-crf self-test"; Filename: "{cmd}"; Parameters: "/k """"{app}\{#CliExe}"" --self-test"""; WorkingDir: "{app}"; IconFilename: "{app}\{#CliExe}"; Comment: "Check that npc-crf is installed correctly"
; The uninstaller (also listed under Settings > Apps). It removes the program folder and these
; shortcuts only; the site data stays.
Name: "{group}\{cm:UninstallProgram,{#AppName}}"; Filename: "{uninstallexe}"

[Run]
Filename: "{app}\{#GuiExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

; There is deliberately no [UninstallDelete] section: the uninstaller removes exactly the files
; this setup installed. Whatever npc-crf wrote (the site database, key file, backups, logs,
; exports, preferences) is in %LOCALAPPDATA%\npc-crf or where the user chose, and stays.
