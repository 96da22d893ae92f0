<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AdminPage</name>
    <message>
        <source>The site administrator</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The administrator manages accounts, backups and settings; this account cannot enter clinical data or sign.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>User name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Full name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Password again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>User names are lower-case letters, digits, &apos;.&apos;, &apos;_&apos; or &apos;-&apos; and start with a letter. The password needs at least {count} characters and may not be the user name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&apos;{user}&apos; is not a valid user name: 2–32 lower-case letters, digits, &apos;.&apos;, &apos;_&apos; or &apos;-&apos;, starting with a letter.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The administrator&apos;s full name is needed (it is printed on records).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The two passwords are not the same.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>AdminView</name>
    <message>
        <source>Accounts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Backups</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Site settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>My preferences</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Working…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>User name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Full name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Role</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>State</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Created</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add user…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Disable…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reset password…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unlock</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>disabled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>active</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>locked until {time}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>must change password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose an account in the table first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add user</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The new user must change this initial password at the first login. User names are never reused.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The account {user} was added.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Disable account</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Disable the account {user}? Its password stops working; its records stay. Give the reason (audited):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The account {user} was disabled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reset password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A temporary password for {user}; it must be changed at the next login.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The password of {user} was reset.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The account {user} was unlocked.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Made</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kind</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Audit entries</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Make a backup now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Verify</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Restore…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Backups are kept in {folder}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>by hand</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>automatic</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>before a restore</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>before an update</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{size:.1f} MB</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a backup in the table first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Backup {name} was made and verified.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Backup {name} is complete and intact ({count} audit entries checked).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Restore a backup</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Why is the backup of {time} restored? (audited)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Replace the site&apos;s data with the backup of {time}? Everything entered since then is no longer in the database (a safety backup of the current data is made first). Every session ends; you log in again afterwards.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save changes…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No setting was changed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Change site settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Why are the settings changed? (audited)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The settings were saved.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Change my password…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Font size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} ({user}), {role}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CasebookView</name>
    <message>
        <source>Change status</source>
        <extracomment>the subject&apos;s status was changed here (so lists can refresh) emitted after the header and grid were (re)filled</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add cycle</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add unscheduled visit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading the casebook of {subject}…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{subject} — {status}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{age} years ({note})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{age} years</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>day {day}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Age: {age} · Sex: {sex} · Enrolled: {enrolled} · First dose: {first_dose} · On study: {day}
Study: {study}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Changing the status of {subject}…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open queries</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not part of this visit</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ChangePasswordDialog</name>
    <message>
        <source>Change password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your password was set by the site administrator. Choose your own password before you continue (at least {count} characters, not your user name).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a new password for {user} (at least {count} characters, not your user name).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Current password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New password again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Log out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The two new passwords are not the same.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The new password must differ from the current one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The current password is wrong.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CreatePage</name>
    <message>
        <source>Creating the site</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The encrypted database, the key file and the audit trail are made.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Try again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The site is ready.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Creating the site… (this takes a few seconds)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Site {site}, study {study}, installation {number}, administrator {user} ({name}), in the folder {folder}.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>EligibilityPanel</name>
    <message>
        <source>Eligibility (computed as you type)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Eligible</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not eligible</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Incomplete</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not met</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not decided yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{met} of {total} criteria met</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>undecided: a partial date decides it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>needs:</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>FileEditor</name>
    <message>
        <source>Attaching files is not supported yet</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>FormValues</name>
    <message>
        <source>Yes</source>
        <extracomment>what an unknown month or day is written as, in the widget and in cells</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>GroupTable</name>
    <message>
        <source>Add row</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add a row (Ctrl+Insert or Ctrl+Shift+N)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove row</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove the current row (Ctrl+Delete)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Missing code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Missing-data code for the current cell (Ctrl+M)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Override…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep the current cell&apos;s value and give the reason</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not applicable in this row</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{message} — kept: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Row {row} · {column}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ItemStatus</name>
    <message>
        <source>Override…</source>
        <extracomment>the status colours, also used by group tables (text, background)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep this value and give the reason (Ctrl+Shift+O); it raises a query</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{message} — kept: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Change reason…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LockScreen</name>
    <message>
        <source>Locked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The session was locked to protect the data. Enter the password of {name} ({user}) to continue where you were.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unlock</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Log out</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LoginWindow</name>
    <message>
        <source>npc-crf — log in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Site {site} · version {version}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The site&apos;s data folder cannot be used at the moment.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>User name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Log in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Try again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter your user name and your password.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LookupEditor</name>
    <message>
        <source>Type part of the term or its code</source>
        <extracomment>lists up to this long are radio buttons (unless the definition asks for a drop-down) a typed key continues the previous one (type-ahead) within this many seconds True when Enter should leave all of this editor&apos;s inputs at once</extracomment>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Subjects</source>
        <extracomment>the navigation, in order: page key → the module and class that show it makes a form page: (ws, runner, subject, event, occurrence, form, lang) → the page</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Worklist</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Queries</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sync</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reports</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Administration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Queries — questions from the monitor or the coordinating center about a value, and their answers — arrive in a later version of npc-crf.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sending the data to the coordinating center and receiving its queries arrives in a later version of npc-crf. Until then the status bar shows how many changes have not been sent.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reports (enrolment, missing forms, adverse events, exports) arrive in a later version of npc-crf.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This screen is not part of this build of npc-crf.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Casebook</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>npc-crf — site {site} — {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Change my password…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lock the screen</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Log out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Font size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>About npc-crf</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Form</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Entering forms is not part of this build of npc-crf.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wrong password.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} has unsaved input in an open form. Logging out now discards it. Log out anyway?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Logging out…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} has unsaved input in an open form. Quitting now discards it. Quit anyway?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>npc-crf {version}
Offline case report forms for trials in recurrent or metastatic nasopharyngeal carcinoma.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Messages</name>
    <message>
        <source>The backup {name} was restored. Every session has ended: log in again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>These subjects were entered after that backup and are not in it; enter them again from the source documents: {subjects}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MissingButton</name>
    <message>
        <source>Missing-data code (Ctrl+M)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Missing-data code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clear the answer</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PartialDateEdit</name>
    <message>
        <source>YYYY</source>
        <extracomment>in a table cell: leave forwards (True), backwards (False) or just close (None)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MM</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>DD</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Year (4 digits)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Month: 1 to 12, or UNK when it is not known</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Day: 1 to 31, or UNK when it is not known</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter the year with 4 digits</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter the month, or UNK if it is not known</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter the day, or UNK if it is not known</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The month is a number from 1 to 12</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>That month has no such day</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>With the month unknown, the day is unknown too</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PasswordDialog</name>
    <message>
        <source>User name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Full name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Role</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Initial password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Password again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&apos;{user}&apos; is not a valid user name: 2–32 lower-case letters, digits, &apos;.&apos;, &apos;_&apos; or &apos;-&apos;, starting with a letter.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The full name is needed: it is printed with every signature.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The two passwords are not the same.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>RecoveryKeyPage</name>
    <message>
        <source>The recovery key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>It is shown now and never again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>If the administrator&apos;s password is lost, this key is the only way into the site&apos;s data. Write it down or print it, and keep it in the site&apos;s safe — not on this computer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Print…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>I have stored the recovery key safely</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>npc-crf recovery key

Site {site}, installation {installation}
Data folder: {folder}

{key}

Keep this sheet in the site&apos;s safe.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Roles</name>
    <message>
        <source>research nurse (CRC)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>investigator</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>monitor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>site administrator</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Settings</name>
    <message>
        <source>Failed logins before an account locks</source>
        <extracomment>the site settings as the administrator reads them (translated when shown)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lockout after failed logins (minutes)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lock the screen after idle minutes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shortest password (characters)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Backups kept of each kind</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SitePage</name>
    <message>
        <source>The site</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This computer keeps the data of one site of one study, encrypted.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Site ID</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Study</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Installation number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>e.g. S01</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The site ID is given by the coordinating center (2–10 capital letters or digits). Number the computers of one site 1, 2, 3…: subject numbers include the installation number, so two computers never give out the same one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&apos;{site}&apos; is not a valid site ID: 2–10 capital letters or digits (e.g. S01).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no study definition to choose.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SiteWizard</name>
    <message>
        <source>npc-crf — set up this computer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Next</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The recovery key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The site has been created. Store the recovery key and tick the box before you close this window: it is not shown again.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>StatusBar</name>
    <message>
        <source>User: {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Role: {role}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Site: {site}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Installation: {number}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>never</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last sync: {when}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not yet sent: {count}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing has been sent to the coordinating center yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing sent to the coordinating center for {days} days</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>StatusChangeDialog</name>
    <message>
        <source>Change the status of {subject}</source>
        <extracomment>the strip under a column title; upcoming visits get a neutral one emitted after the cells were painted (for the benchmark)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{subject}: from “{old}” to “{new}”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Required</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Optional</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Date</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SubjectsView</name>
    <message>
        <source>Filter by subject ID or status</source>
        <extracomment>emitted after the table was (re)filled</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All statuses</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Screen new subject</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading subjects…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Registering a new subject…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>WorklistView</name>
    <message>
        <source>All kinds of work</source>
        <extracomment>emitted after the list was (re)filled</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Filter by subject ID</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading the worklist…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
