<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AdminPage</name>
    <message>
        <source>The site administrator</source>
        <translation>中心管理员</translation>
    </message>
    <message>
        <source>The administrator manages accounts, backups and settings; this account cannot enter clinical data or sign.</source>
        <translation>管理员负责账户、备份和设置；此账户不能录入临床数据，也不能签名。</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <source>Full name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Password again</source>
        <translation>再次输入密码</translation>
    </message>
    <message>
        <source>User names are lower-case letters, digits, &apos;.&apos;, &apos;_&apos; or &apos;-&apos; and start with a letter. The password needs at least {count} characters and may not be the user name.</source>
        <translation>用户名由小写字母、数字、“.”、“_”或“-”组成，并以字母开头。密码至少 {count} 个字符，且不能与用户名相同。</translation>
    </message>
    <message>
        <source>&apos;{user}&apos; is not a valid user name: 2–32 lower-case letters, digits, &apos;.&apos;, &apos;_&apos; or &apos;-&apos;, starting with a letter.</source>
        <translation>“{user}”不是有效的用户名：应为 2–32 个小写字母、数字、“.”、“_”或“-”，并以字母开头。</translation>
    </message>
    <message>
        <source>The administrator&apos;s full name is needed (it is printed on records).</source>
        <translation>需要填写管理员姓名（会打印在记录上）。</translation>
    </message>
    <message>
        <source>The two passwords are not the same.</source>
        <translation>两次输入的密码不一致。</translation>
    </message>
</context>
<context>
    <name>AdminView</name>
    <message>
        <source>Accounts</source>
        <translation>账户</translation>
    </message>
    <message>
        <source>Backups</source>
        <translation>备份</translation>
    </message>
    <message>
        <source>Site settings</source>
        <translation>中心设置</translation>
    </message>
    <message>
        <source>Freezes and locks</source>
        <translation>冻结与锁定</translation>
    </message>
    <message>
        <source>My preferences</source>
        <translation>我的偏好</translation>
    </message>
    <message>
        <source>Working…</source>
        <translation>正在处理…</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <source>Full name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>创建时间</translation>
    </message>
    <message>
        <source>Add user…</source>
        <translation>添加用户…</translation>
    </message>
    <message>
        <source>Disable…</source>
        <translation>停用…</translation>
    </message>
    <message>
        <source>Reset password…</source>
        <translation>重置密码…</translation>
    </message>
    <message>
        <source>Unlock</source>
        <translation>解锁</translation>
    </message>
    <message>
        <source>disabled</source>
        <translation>已停用</translation>
    </message>
    <message>
        <source>active</source>
        <translation>启用</translation>
    </message>
    <message>
        <source>locked until {time}</source>
        <translation>锁定至 {time}</translation>
    </message>
    <message>
        <source>must change password</source>
        <translation>须修改密码</translation>
    </message>
    <message>
        <source>Choose an account in the table first.</source>
        <translation>请先在表格中选择一个账户。</translation>
    </message>
    <message>
        <source>Add user</source>
        <translation>添加用户</translation>
    </message>
    <message>
        <source>The new user must change this initial password at the first login. User names are never reused.</source>
        <translation>新用户首次登录时必须修改此初始密码。用户名永不重复使用。</translation>
    </message>
    <message>
        <source>The account {user} was added.</source>
        <translation>已添加账户 {user}。</translation>
    </message>
    <message>
        <source>Disable account</source>
        <translation>停用账户</translation>
    </message>
    <message>
        <source>Disable the account {user}? Its password stops working; its records stay. Give the reason (audited):</source>
        <translation>停用账户 {user}？其密码将失效，其记录保留。请填写原因（记入稽查轨迹）：</translation>
    </message>
    <message>
        <source>The account {user} was disabled.</source>
        <translation>已停用账户 {user}。</translation>
    </message>
    <message>
        <source>Reset password</source>
        <translation>重置密码</translation>
    </message>
    <message>
        <source>A temporary password for {user}; it must be changed at the next login.</source>
        <translation>为 {user} 设置临时密码；下次登录时必须修改。</translation>
    </message>
    <message>
        <source>The password of {user} was reset.</source>
        <translation>已重置 {user} 的密码。</translation>
    </message>
    <message>
        <source>The account {user} was unlocked.</source>
        <translation>已解锁账户 {user}。</translation>
    </message>
    <message>
        <source>Made</source>
        <translation>创建时间</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>Audit entries</source>
        <translation>稽查记录数</translation>
    </message>
    <message>
        <source>Make a backup now</source>
        <translation>立即备份</translation>
    </message>
    <message>
        <source>Verify</source>
        <translation>校验</translation>
    </message>
    <message>
        <source>Restore…</source>
        <translation>还原…</translation>
    </message>
    <message>
        <source>Backups are kept in {folder}</source>
        <translation>备份保存在 {folder}</translation>
    </message>
    <message>
        <source>by hand</source>
        <translation>手动</translation>
    </message>
    <message>
        <source>automatic</source>
        <translation>自动</translation>
    </message>
    <message>
        <source>before a restore</source>
        <translation>还原前</translation>
    </message>
    <message>
        <source>before an update</source>
        <translation>升级前</translation>
    </message>
    <message>
        <source>{size:.1f} MB</source>
        <translation>{size:.1f} MB</translation>
    </message>
    <message>
        <source>Choose a backup in the table first.</source>
        <translation>请先在表格中选择一个备份。</translation>
    </message>
    <message>
        <source>Backup {name} was made and verified.</source>
        <translation>备份 {name} 已创建并校验。</translation>
    </message>
    <message>
        <source>Backup {name} is complete and intact ({count} audit entries checked).</source>
        <translation>备份 {name} 完整无损（已核对 {count} 条稽查记录）。</translation>
    </message>
    <message>
        <source>Restore a backup</source>
        <translation>还原备份</translation>
    </message>
    <message>
        <source>Why is the backup of {time} restored? (audited)</source>
        <translation>为什么要还原 {time} 的备份？（记入稽查轨迹）</translation>
    </message>
    <message>
        <source>Replace the site&apos;s data with the backup of {time}? Everything entered since then is no longer in the database (a safety backup of the current data is made first). Every session ends; you log in again afterwards.</source>
        <translation>用 {time} 的备份替换本中心的数据？此后录入的所有内容将不再保存在数据库中（会先为当前数据做一份安全备份）。所有会话都将结束，之后需重新登录。</translation>
    </message>
    <message>
        <source>Save changes…</source>
        <translation>保存更改…</translation>
    </message>
    <message>
        <source>No setting was changed.</source>
        <translation>没有更改任何设置。</translation>
    </message>
    <message>
        <source>Change site settings</source>
        <translation>更改中心设置</translation>
    </message>
    <message>
        <source>Why are the settings changed? (audited)</source>
        <translation>为什么更改设置？（记入稽查轨迹）</translation>
    </message>
    <message>
        <source>The settings were saved.</source>
        <translation>设置已保存。</translation>
    </message>
    <message>
        <source>Freeze the site…</source>
        <translation>冻结本中心…</translation>
    </message>
    <message>
        <source>Lock the site…</source>
        <translation>锁定本中心…</translation>
    </message>
    <message>
        <source>Unfreeze the site…</source>
        <translation>解冻本中心…</translation>
    </message>
    <message>
        <source>Unlock the site…</source>
        <translation>解锁本中心…</translation>
    </message>
    <message>
        <source>Freezes and locks in force</source>
        <translation>当前生效的冻结与锁定</translation>
    </message>
    <message>
        <source>Applies to</source>
        <translation>适用范围</translation>
    </message>
    <message>
        <source>Set by</source>
        <translation>设置人</translation>
    </message>
    <message>
        <source>Set on</source>
        <translation>设置时间</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Release the selected hold…</source>
        <translation>解除所选的冻结/锁定…</translation>
    </message>
    <message>
        <source>Export SDV report (CSV)…</source>
        <translation>导出 SDV 报告（CSV）…</translation>
    </message>
    <message>
        <source>A freeze stops data changes; queries, SDV and signing go on. A lock stops everything. Monitors and the administrator freeze; only the administrator locks and releases. Subjects and forms are frozen and locked from their casebook.</source>
        <translation>冻结后数据不能再修改，但质疑、SDV 和签名仍可继续；锁定后一切操作均停止。监查员和管理员可以冻结；只有管理员可以锁定和解除。受试者和表单的冻结与锁定在其病例报告表中操作。</translation>
    </message>
    <message>
        <source>The site is open: nothing is frozen or locked.</source>
        <translation>本中心处于开放状态：没有任何冻结或锁定。</translation>
    </message>
    <message>
        <source>Freeze the site</source>
        <translation>冻结本中心</translation>
    </message>
    <message>
        <source>Lock the site</source>
        <translation>锁定本中心</translation>
    </message>
    <message>
        <source>Unfreeze the site</source>
        <translation>解冻本中心</translation>
    </message>
    <message>
        <source>Unlock the site</source>
        <translation>解锁本中心</translation>
    </message>
    <message>
        <source>Freeze the whole site? No data of any subject can be changed and no subject can be added until the site is unfrozen; queries, SDV and signing go on. Give the reason (audited):</source>
        <translation>冻结整个中心？解冻之前，任何受试者的数据都不能修改，也不能新增受试者；质疑、SDV 和签名仍可继续。请填写原因（记入稽查轨迹）：</translation>
    </message>
    <message>
        <source>Lock the whole site? Nothing can be changed — no data, no query, no SDV, no signature — until the site is unlocked. Give the reason (audited):</source>
        <translation>锁定整个中心？解锁之前，任何内容都不能更改——数据、质疑、SDV 和签名均不可操作。请填写原因（记入稽查轨迹）：</translation>
    </message>
    <message>
        <source>Unfreeze the site? Give the reason (audited):</source>
        <translation>解冻本中心？请填写原因（记入稽查轨迹）：</translation>
    </message>
    <message>
        <source>Unlock the site? Give the reason (audited):</source>
        <translation>解锁本中心？请填写原因（记入稽查轨迹）：</translation>
    </message>
    <message>
        <source>The site was frozen.</source>
        <translation>本中心已冻结。</translation>
    </message>
    <message>
        <source>The site was locked.</source>
        <translation>本中心已锁定。</translation>
    </message>
    <message>
        <source>The site was unfrozen.</source>
        <translation>本中心已解冻。</translation>
    </message>
    <message>
        <source>The site was unlocked.</source>
        <translation>本中心已解锁。</translation>
    </message>
    <message>
        <source>Choose a freeze or a lock in the table first.</source>
        <translation>请先在表格中选择一项冻结或锁定。</translation>
    </message>
    <message>
        <source>Unlock {what}? Give the reason (audited):</source>
        <translation>解锁{what}？请填写原因（记入稽查轨迹）：</translation>
    </message>
    <message>
        <source>{what} was unlocked.</source>
        <translation>已解锁{what}。</translation>
    </message>
    <message>
        <source>Unfreeze</source>
        <translation>解冻</translation>
    </message>
    <message>
        <source>Unfreeze {what}? Give the reason (audited):</source>
        <translation>解冻{what}？请填写原因（记入稽查轨迹）：</translation>
    </message>
    <message>
        <source>{what} was unfrozen.</source>
        <translation>已解冻{what}。</translation>
    </message>
    <message>
        <source>Change my password…</source>
        <translation>修改我的密码…</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>Font size</source>
        <translation>字号</translation>
    </message>
    <message>
        <source>{name} ({user}), {role}</source>
        <translation>{name}（{user}），{role}</translation>
    </message>
</context>
<context>
    <name>BorPanel</name>
    <message>
        <source>Best overall response</source>
        <extracomment>opens a form: (subject, event, occurrence, form)</extracomment>
        <translation>最佳总体疗效（BOR）</translation>
    </message>
    <message>
        <source>Not computed yet.</source>
        <translation>尚未计算。</translation>
    </message>
    <message>
        <source>Confirmed</source>
        <translation>经确认</translation>
    </message>
    <message>
        <source>Unconfirmed</source>
        <translation>未经确认</translation>
    </message>
    <message>
        <source>Response start</source>
        <translation>缓解开始日期</translation>
    </message>
    <message>
        <source>Confirmed on</source>
        <translation>疗效确认日期</translation>
    </message>
    <message>
        <source>Progression</source>
        <translation>进展日期</translation>
    </message>
    <message>
        <source>{response} ({date})</source>
        <translation>{response}（{date}）</translation>
    </message>
    <message>
        <source>never</source>
        <translation>不允许</translation>
    </message>
    <message>
        <source>only if progressed since irradiation</source>
        <translation>仅限放疗后进展者</translation>
    </message>
    <message>
        <source>allowed</source>
        <translation>允许</translation>
    </message>
    <message>
        <source>Rules: {criteria}</source>
        <translation>规则：{criteria}</translation>
    </message>
    <message>
        <source>CR/PR confirmed by an assessment at least {days} days later</source>
        <translation>CR/PR 须经至少 {days} 天后的评估确认</translation>
    </message>
    <message>
        <source>at most {n} NE in between</source>
        <translation>其间最多 {n} 次 NE</translation>
    </message>
    <message>
        <source>SD in between accepted</source>
        <translation>其间允许 SD</translation>
    </message>
    <message>
        <source>SD in between not accepted</source>
        <translation>其间不允许 SD</translation>
    </message>
    <message>
        <source>SD counts from day {day} after the treatment start ({min} − {window})</source>
        <translation>SD 自治疗开始后第 {day} 天起计入（{min} − {window}）</translation>
    </message>
    <message>
        <source>irradiated targets: {rule}</source>
        <translation>放疗野内病灶作为靶病灶：{rule}</translation>
    </message>
    <message>
        <source>treatment start {date}</source>
        <translation>治疗开始日期 {date}</translation>
    </message>
</context>
<context>
    <name>Casebook</name>
    <message>
        <source>Electronically signed by {name} ({user}) on {time}. Meaning: {meaning}</source>
        <extracomment>a header role giving the visit&apos;s VisitTiming when it is done out of its window (or the window cannot be decided), else None the colour of a visit done out of its window (header text and strip) where a mark belongs: (event, occurrence, form)</extracomment>
        <translation>由 {name}（{user}）于 {time} 电子签名。签名含义：{meaning}</translation>
    </message>
    <message>
        <source>{event} (new)</source>
        <translation>{event}（新）</translation>
    </message>
    <message>
        <source>due {date}</source>
        <translation>应于 {date}</translation>
    </message>
    <message>
        <source>{state} · {timing}</source>
        <translation>{state} · {timing}</translation>
    </message>
    <message>
        <source>Window: {window} (due {due})</source>
        <translation>访视窗：{window}（应于 {due}）</translation>
    </message>
    <message>
        <source>{form} — {event}</source>
        <extracomment>what ``data`` returns for the roles painting asks for (state, warnings, queries, marks) -&gt; text and roles, shared by cells that look alike</extracomment>
        <translation>{form} — {event}</translation>
    </message>
    <message>
        <source>The signature of {user} was voided on {time}: {reason}</source>
        <translation>{user} 的签名已于 {time} 作废：{reason}</translation>
    </message>
</context>
<context>
    <name>CasebookView</name>
    <message>
        <source>Change status</source>
        <extracomment>the subject&apos;s status, holds or signatures were changed here (so lists can refresh) emitted after the header and grid were (re)filled wrong signature credentials locked the account and ended the session (the message) &quot;Print casebook…&quot;: print this subject&apos;s casebook (the main window&apos;s Reports page) the freezes and locks applying to the subject shown (site, subject, forms) (verified, required) values of the subject (roles that verify) the last refusal or message box shown here (for tests and screenshots)</extracomment>
        <translation>更改状态</translation>
    </message>
    <message>
        <source>Add cycle</source>
        <translation>新增治疗周期</translation>
    </message>
    <message>
        <source>Add unscheduled visit</source>
        <translation>新增计划外访视</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Print casebook…</source>
        <translation>打印病例报告表…</translation>
    </message>
    <message>
        <source>A PDF of this subject&apos;s casebook with its audit trail, signatures and queries</source>
        <translation>生成该受试者病例报告表的 PDF，含稽查轨迹、签名和质疑</translation>
    </message>
    <message>
        <source>Sign</source>
        <extracomment>&quot;Tumour response&quot; (Ctrl+R): the lesion tracker; hidden when the study has none</extracomment>
        <translation>签名</translation>
    </message>
    <message>
        <source>Sign event…</source>
        <translation>签署访视…</translation>
    </message>
    <message>
        <source>Sign casebook…</source>
        <translation>签署病例报告表…</translation>
    </message>
    <message>
        <source>Freeze / lock</source>
        <translation>冻结/锁定</translation>
    </message>
    <message>
        <source>Loading the casebook of {subject}…</source>
        <translation>正在载入受试者 {subject} 的病例报告表…</translation>
    </message>
    <message>
        <source>{subject} — {status}</source>
        <translation>{subject} — {status}</translation>
    </message>
    <message>
        <source>{low}–{high} years (day of birth not known)</source>
        <translation>{low}–{high} 岁（出生日不详）</translation>
    </message>
    <message>
        <source>{age} years</source>
        <translation>{age} 岁</translation>
    </message>
    <message>
        <source>day {day}</source>
        <translation>第 {day} 天</translation>
    </message>
    <message>
        <source>Age: {age} · Sex: {sex} · Enrolled: {enrolled} · First dose: {first_dose} · On study: {day}
Study: {study}</source>
        <translation>年龄：{age} · 性别：{sex} · 入组：{enrolled} · 首次给药：{first_dose} · 研究中：{day}
研究：{study}</translation>
    </message>
    <message>
        <source>SDV: {verified} of {required} verified</source>
        <translation>SDV：已核查 {verified}/{required}</translation>
    </message>
    <message>
        <source>SDV: no value needs verifying yet</source>
        <translation>SDV：暂无需要核查的数据</translation>
    </message>
    <message>
        <source>The schedule allows no further occurrence.</source>
        <translation>访视计划不允许再增加。</translation>
    </message>
    <message>
        <source>Changing the status of {subject}…</source>
        <translation>正在更改受试者 {subject} 的状态…</translation>
    </message>
    <message>
        <source>Sign {event}…</source>
        <translation>签署{event}…</translation>
    </message>
    <message>
        <source>Freeze subject…</source>
        <translation>冻结受试者…</translation>
    </message>
    <message>
        <source>Lock subject…</source>
        <translation>锁定受试者…</translation>
    </message>
    <message>
        <source>Unfreeze subject…</source>
        <translation>解冻受试者…</translation>
    </message>
    <message>
        <source>Unlock subject…</source>
        <translation>解锁受试者…</translation>
    </message>
    <message>
        <source>Freeze form…</source>
        <translation>冻结表单…</translation>
    </message>
    <message>
        <source>Lock form…</source>
        <translation>锁定表单…</translation>
    </message>
    <message>
        <source>Unfreeze form…</source>
        <translation>解冻表单…</translation>
    </message>
    <message>
        <source>Unlock form…</source>
        <translation>解锁表单…</translation>
    </message>
    <message>
        <source>Freeze</source>
        <translation>冻结</translation>
    </message>
    <message>
        <source>Lock</source>
        <translation>锁定</translation>
    </message>
    <message>
        <source>Unfreeze</source>
        <translation>解冻</translation>
    </message>
    <message>
        <source>Unlock</source>
        <translation>解锁</translation>
    </message>
    <message>
        <source>Freeze {what}? Its data can then no longer be changed; queries, SDV and signing go on. Only the site administrator can unfreeze it. Give the reason (audited):</source>
        <translation>冻结{what}？冻结后其数据将不能再修改；质疑、SDV 和签名仍可继续。只有中心管理员可以解冻。请填写原因（记入稽查轨迹）：</translation>
    </message>
    <message>
        <source>Lock {what}? Nothing can then be changed: no data, no query, no SDV, no signature. Only the site administrator can unlock it. Give the reason (audited):</source>
        <translation>锁定{what}？锁定后任何内容都不能更改：数据、质疑、SDV 和签名均不可操作。只有中心管理员可以解锁。请填写原因（记入稽查轨迹）：</translation>
    </message>
    <message>
        <source>Unfreeze {what}? Give the reason (audited):</source>
        <translation>解冻{what}？请填写原因（记入稽查轨迹）：</translation>
    </message>
    <message>
        <source>Unlock {what}? Give the reason (audited):</source>
        <translation>解锁{what}？请填写原因（记入稽查轨迹）：</translation>
    </message>
    <message>
        <source>{action}: {what}</source>
        <translation>{action}：{what}</translation>
    </message>
    <message>
        <source>{what} was frozen.</source>
        <translation>已冻结{what}。</translation>
    </message>
    <message>
        <source>{what} was locked.</source>
        <translation>已锁定{what}。</translation>
    </message>
    <message>
        <source>{what} was unfrozen.</source>
        <translation>已解冻{what}。</translation>
    </message>
    <message>
        <source>{what} was unlocked.</source>
        <translation>已解锁{what}。</translation>
    </message>
    <message>
        <source>Recording the change…</source>
        <translation>正在记录更改…</translation>
    </message>
    <message>
        <source>Checking what can be signed…</source>
        <translation>正在检查可签署的表单…</translation>
    </message>
    <message>
        <source>Casebook of {subject} — 1 form</source>
        <translation>受试者 {subject} 的病例报告表 — 1 份表单</translation>
    </message>
    <message>
        <source>Casebook of {subject} — {count} forms</source>
        <translation>受试者 {subject} 的病例报告表 — {count} 份表单</translation>
    </message>
    <message>
        <source>{event} of {subject} — 1 form</source>
        <translation>受试者 {subject} 的{event} — 1 份表单</translation>
    </message>
    <message>
        <source>{event} of {subject} — {count} forms</source>
        <translation>受试者 {subject} 的{event} — {count} 份表单</translation>
    </message>
    <message>
        <source>{scope} ({count} already signed, left as they are)</source>
        <translation>{scope}（{count} 份已签名，保持不变）</translation>
    </message>
    <message>
        <source>Forms signed: {signed}. Already signed and left as they were: {skipped}.</source>
        <translation>已签署表单：{signed} 份。此前已签名、保持不变：{skipped} 份。</translation>
    </message>
    <message>
        <source>1 form was signed.</source>
        <translation>已签署 1 份表单。</translation>
    </message>
    <message>
        <source>{count} forms were signed.</source>
        <translation>已签署 {count} 份表单。</translation>
    </message>
    <message>
        <source>Nothing was signed</source>
        <translation>未签署任何表单</translation>
    </message>
    <message>
        <source>Open queries</source>
        <translation>未关闭的质疑</translation>
    </message>
    <message>
        <source>SDV: every value verified</source>
        <translation>SDV：全部已核查</translation>
    </message>
    <message>
        <source>SDV: some values verified</source>
        <translation>SDV：部分已核查</translation>
    </message>
    <message>
        <source>SDV: nothing verified yet</source>
        <translation>SDV：尚未核查</translation>
    </message>
    <message>
        <source>Not part of this visit</source>
        <translation>不属于该访视</translation>
    </message>
    <message>
        <source>Visit done outside its window</source>
        <translation>超窗完成的访视</translation>
    </message>
</context>
<context>
    <name>CellState</name>
    <message>
        <source>Not started</source>
        <translation>未开始</translation>
    </message>
    <message>
        <source>In progress</source>
        <translation>录入中</translation>
    </message>
    <message>
        <source>Complete</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>Signed</source>
        <translation>已签名</translation>
    </message>
    <message>
        <source>Locked</source>
        <translation>已锁定</translation>
    </message>
    <message>
        <source>NS</source>
        <comment>abbreviation of: not started</comment>
        <translation>未</translation>
    </message>
    <message>
        <source>IP</source>
        <comment>abbreviation of: in progress</comment>
        <translation>录</translation>
    </message>
    <message>
        <source>C</source>
        <comment>abbreviation of: complete</comment>
        <translation>完</translation>
    </message>
    <message>
        <source>S</source>
        <comment>abbreviation of: signed</comment>
        <translation>签</translation>
    </message>
    <message>
        <source>L</source>
        <comment>abbreviation of: locked</comment>
        <translation>锁</translation>
    </message>
    <message>
        <source>!</source>
        <comment>mark of a form with warnings</comment>
        <translation>!</translation>
    </message>
    <message>
        <source>Has warnings</source>
        <translation>有警告</translation>
    </message>
    <message>
        <source>Q{count}</source>
        <comment>mark of a form with open queries</comment>
        <translation>疑{count}</translation>
    </message>
    <message>
        <source>1 open query</source>
        <translation>1 条未关闭的质疑</translation>
    </message>
    <message>
        <source>{count} open queries</source>
        <translation>{count} 条未关闭的质疑</translation>
    </message>
    <message>
        <source>✔</source>
        <comment>mark: every value source-verified</comment>
        <translation>✔</translation>
    </message>
    <message>
        <source>◐</source>
        <comment>mark: some values source-verified</comment>
        <translation>◐</translation>
    </message>
    <message>
        <source>○</source>
        <comment>mark: no value source-verified yet</comment>
        <translation>○</translation>
    </message>
    <message>
        <source>Source data verified: {verified} of {required} values</source>
        <translation>源数据核查：已核查 {verified}/{required} 个数据点</translation>
    </message>
    <message>
        <source>✎↺</source>
        <comment>mark: signature voided, sign again</comment>
        <translation>✎↺</translation>
    </message>
    <message>
        <source>✎</source>
        <comment>mark: to sign</comment>
        <translation>✎</translation>
    </message>
    <message>
        <source>Signature voided by a change: to be signed again</source>
        <translation>签名因数据修改而作废：需重新签名</translation>
    </message>
    <message>
        <source>To sign</source>
        <translation>待签名</translation>
    </message>
    <message>
        <source>❄</source>
        <comment>mark: form frozen</comment>
        <translation>❄</translation>
    </message>
    <message>
        <source>Form frozen</source>
        <translation>表单已冻结</translation>
    </message>
</context>
<context>
    <name>CenterUrlDialog</name>
    <message>
        <source>Upload to the coordinating center</source>
        <translation>上传至协调中心</translation>
    </message>
    <message>
        <source>Every bundle the center has not acknowledged is uploaded; then the center&apos;s return bundle is fetched and applied. Without a connection nothing is lost: the bundles stay in the outbox.</source>
        <translation>将上传协调中心尚未确认的所有数据包，然后获取并应用协调中心的返回数据包。没有网络连接时不会丢失任何数据：数据包会留在发件箱中。</translation>
    </message>
    <message>
        <source>Address of the center:</source>
        <translation>协调中心地址：</translation>
    </message>
    <message>
        <source>Upload</source>
        <translation>上传</translation>
    </message>
    <message>
        <source>As the coordinating center gave it, e.g. https://crf.example.org</source>
        <translation>按协调中心提供的地址填写，例如 https://crf.example.org</translation>
    </message>
</context>
<context>
    <name>ChangePasswordDialog</name>
    <message>
        <source>Change password</source>
        <translation>修改密码</translation>
    </message>
    <message>
        <source>Your password was set by the site administrator. Choose your own password before you continue (at least {count} characters, not your user name).</source>
        <translation>您的密码由中心管理员设置。继续之前请设置您自己的密码（至少 {count} 个字符，不能与用户名相同）。</translation>
    </message>
    <message>
        <source>Choose a new password for {user} (at least {count} characters, not your user name).</source>
        <translation>为 {user} 设置新密码（至少 {count} 个字符，不能与用户名相同）。</translation>
    </message>
    <message>
        <source>Current password</source>
        <translation>当前密码</translation>
    </message>
    <message>
        <source>New password</source>
        <translation>新密码</translation>
    </message>
    <message>
        <source>New password again</source>
        <translation>再次输入新密码</translation>
    </message>
    <message>
        <source>Log out</source>
        <translation>退出登录</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>The two new passwords are not the same.</source>
        <translation>两次输入的新密码不一致。</translation>
    </message>
    <message>
        <source>The new password must differ from the current one.</source>
        <translation>新密码必须与当前密码不同。</translation>
    </message>
    <message>
        <source>The current password is wrong.</source>
        <translation>当前密码错误。</translation>
    </message>
</context>
<context>
    <name>CreatePage</name>
    <message>
        <source>Creating the site</source>
        <translation>正在创建中心</translation>
    </message>
    <message>
        <source>The encrypted database, the key file and the audit trail are made.</source>
        <translation>正在创建加密数据库、密钥文件和稽查轨迹。</translation>
    </message>
    <message>
        <source>Try again</source>
        <translation>重试</translation>
    </message>
    <message>
        <source>The site is ready.</source>
        <translation>中心已创建完成。</translation>
    </message>
    <message>
        <source>Creating the site… (this takes a few seconds)</source>
        <translation>正在创建中心…（需要几秒钟）</translation>
    </message>
    <message>
        <source>Site {site}, study {study}, installation {number}, administrator {user} ({name}), in the folder {folder}.</source>
        <translation>中心 {site}，研究 {study}，安装编号 {number}，管理员 {user}（{name}），数据文件夹 {folder}。</translation>
    </message>
</context>
<context>
    <name>CtcaeGradeEditor</name>
    <message>
        <source>— not defined for {term}</source>
        <translation>— {term} 无此分级</translation>
    </message>
    <message>
        <source>Grade {grade} is not defined for {term}: choose another grade.</source>
        <translation>{term} 无 {grade} 级：请选择其他分级。</translation>
    </message>
</context>
<context>
    <name>CtcaePicker</name>
    <message>
        <source>CTCAE v5.0 terms</source>
        <extracomment>the most results listed at once (the count says how many matched) keys the search box passes on to the result list</extracomment>
        <translation>CTCAE v5.0 术语</translation>
    </message>
    <message>
        <source>Type a term, a MedDRA code or a system organ class</source>
        <translation>输入术语、MedDRA编码或系统器官分类</translation>
    </message>
    <message>
        <source>Term</source>
        <translation>术语</translation>
    </message>
    <message>
        <source>System organ class</source>
        <translation>系统器官分类</translation>
    </message>
    <message>
        <source>Choose</source>
        <translation>选择</translation>
    </message>
    <message>
        <source>↑/↓ move · Enter chooses · Esc cancels</source>
        <translation>↑/↓ 移动 · Enter 选择 · Esc 取消</translation>
    </message>
    <message>
        <source>{shown} of {n} terms shown: type more to narrow</source>
        <translation>共 {n} 个术语，显示 {shown} 个：继续输入以缩小范围</translation>
    </message>
    <message>
        <source>{n} term(s)</source>
        <translation>{n} 个术语</translation>
    </message>
    <message>
        <source>No term matches.</source>
        <translation>没有匹配的术语。</translation>
    </message>
    <message>
        <source>Definition:</source>
        <translation>定义：</translation>
    </message>
    <message>
        <source>Navigational note:</source>
        <translation>导航注释：</translation>
    </message>
    <message>
        <source>not defined for this term</source>
        <translation>该术语无此分级</translation>
    </message>
    <message>
        <source>Grade {grade}</source>
        <translation>{grade} 级</translation>
    </message>
</context>
<context>
    <name>Days</name>
    <message>
        <source>1 day past due</source>
        <translation>已过应访日 1 天</translation>
    </message>
    <message>
        <source>{days} days past due</source>
        <translation>已过应访日 {days} 天</translation>
    </message>
    <message>
        <source>in 1 day</source>
        <translation>1 天后</translation>
    </message>
    <message>
        <source>in {days} days</source>
        <translation>{days} 天后</translation>
    </message>
    <message>
        <source>today</source>
        <translation>今天</translation>
    </message>
</context>
<context>
    <name>Dialogs</name>
    <message>
        <source>Transcription error</source>
        <extracomment>problems listed in an error&apos;s text; the rest go to the details</extracomment>
        <translation>转录错误</translation>
    </message>
    <message>
        <source>Data clarification</source>
        <translation>数据澄清</translation>
    </message>
    <message>
        <source>New information</source>
        <translation>新信息</translation>
    </message>
    <message>
        <source>Confirmed in the source document</source>
        <translation>已与原始文件核对确认</translation>
    </message>
    <message>
        <source>Clinically plausible for this subject</source>
        <translation>对该受试者临床上合理</translation>
    </message>
    <message>
        <source>Measurement repeated with the same result</source>
        <translation>重复测量结果相同</translation>
    </message>
    <message>
        <source>Entered</source>
        <translation>录入</translation>
    </message>
    <message>
        <source>Changed</source>
        <translation>修改</translation>
    </message>
    <message>
        <source>Cleared</source>
        <translation>清除</translation>
    </message>
    <message>
        <source>Warning overridden</source>
        <translation>警告已确认保留</translation>
    </message>
    <message>
        <source>Row added</source>
        <translation>新增行</translation>
    </message>
    <message>
        <source>Row removed</source>
        <translation>删除行</translation>
    </message>
    <message>
        <source>Form started</source>
        <translation>表单开始</translation>
    </message>
    <message>
        <source>Status changed</source>
        <translation>状态变更</translation>
    </message>
    <message>
        <source>Signed</source>
        <translation>已签名</translation>
    </message>
    <message>
        <source>Signature voided</source>
        <translation>签名已作废</translation>
    </message>
    <message>
        <source>Locked</source>
        <translation>已锁定</translation>
    </message>
    <message>
        <source>Unlocked</source>
        <translation>已解锁</translation>
    </message>
    <message>
        <source>Visit started</source>
        <translation>访视开始</translation>
    </message>
    <message>
        <source>Not saved: values refused</source>
        <translation>未保存：有数值被拒绝</translation>
    </message>
    <message>
        <source>Not allowed</source>
        <translation>不允许</translation>
    </message>
    <message>
        <source>The data store cannot be used</source>
        <translation>数据库无法使用</translation>
    </message>
    <message>
        <source>Not possible</source>
        <translation>无法执行</translation>
    </message>
    <message>
        <source>Something went wrong</source>
        <translation>出现错误</translation>
    </message>
    <message>
        <source>An unexpected error happened; nothing you typed was lost.</source>
        <translation>发生意外错误；您输入的内容没有丢失。</translation>
    </message>
    <message>
        <source>… and {n} more (see the details)</source>
        <translation>……另有 {n} 条（见详细信息）</translation>
    </message>
    <message>
        <source>… and {n} more</source>
        <translation>……另有 {n} 条</translation>
    </message>
    <message>
        <source>Unsaved changes</source>
        <translation>未保存的修改</translation>
    </message>
</context>
<context>
    <name>EligibilityPanel</name>
    <message>
        <source>{form}: {item}</source>
        <translation>{form}：{item}</translation>
    </message>
    <message>
        <source>Eligibility (computed as you type)</source>
        <translation>入选资格（随输入实时判定）</translation>
    </message>
    <message>
        <source>Eligible</source>
        <translation>符合入选</translation>
    </message>
    <message>
        <source>Not eligible</source>
        <translation>不符合入选</translation>
    </message>
    <message>
        <source>Incomplete</source>
        <translation>尚不完整</translation>
    </message>
    <message>
        <source>Not met</source>
        <translation>不满足</translation>
    </message>
    <message>
        <source>Not decided yet</source>
        <translation>尚未判定</translation>
    </message>
    <message>
        <source>{met} of {total} criteria met</source>
        <translation>已满足 {met}/{total} 条标准</translation>
    </message>
    <message>
        <source>undecided: a partial date decides it</source>
        <translation>未判定：取决于不完整日期</translation>
    </message>
    <message>
        <source>needs: {items}</source>
        <translation>需要：{items}</translation>
    </message>
</context>
<context>
    <name>Event</name>
    <message>
        <source>{event} {number}</source>
        <comment>an occurrence of a repeating event</comment>
        <translation>{event} {number}</translation>
    </message>
</context>
<context>
    <name>FileEditor</name>
    <message>
        <source>Attaching files is not supported yet</source>
        <translation>暂不支持附加文件</translation>
    </message>
</context>
<context>
    <name>FormMonitoring</name>
    <message>
        <source>Click or press {key} to read and answer.</source>
        <extracomment>raise a query (or write a note) about the current item the queries of the current item verify the current item (or take the verification back) a pending SDV cell&apos;s background the property naming the item a monitoring mark belongs to (its path as text) the snapshot was applied (after a load or a monitoring action)</extracomment>
        <translation>单击或按 {key} 查看并答复。</translation>
    </message>
    <message>
        <source>Raise a query…</source>
        <translation>提出质疑…</translation>
    </message>
    <message>
        <source>Write a note…</source>
        <translation>添加备注…</translation>
    </message>
    <message>
        <source>Queries ({n})…</source>
        <translation>质疑（{n}）…</translation>
    </message>
    <message>
        <source>No queries</source>
        <translation>无质疑</translation>
    </message>
    <message>
        <source>Source data verified</source>
        <translation>源数据已核查</translation>
    </message>
    <message>
        <source>Source verified by {user} on {when}.</source>
        <translation>已由 {user} 于 {when} 完成源数据核查。</translation>
    </message>
    <message>
        <source>Source data verification pending.</source>
        <translation>源数据待核查。</translation>
    </message>
    <message>
        <source>Your role cannot raise queries or write notes.</source>
        <translation>您的角色不能提出质疑或添加备注。</translation>
    </message>
    <message>
        <source>This form is locked: no query can be raised or answered.</source>
        <translation>该表单已锁定：不能提出或答复质疑。</translation>
    </message>
    <message>
        <source>Choose a cell of the table first: a query names one cell.</source>
        <translation>请先选择表格中的一个单元格：质疑须针对某一单元格。</translation>
    </message>
    <message>
        <source>Save the form first: a query about an item needs the saved form.</source>
        <translation>请先保存表单：针对条目的质疑须基于已保存的表单。</translation>
    </message>
    <message>
        <source>Raised: {what}.</source>
        <translation>已提出：{what}。</translation>
    </message>
    <message>
        <source>No queries on {item}.</source>
        <translation>{item} 没有质疑。</translation>
    </message>
    <message>
        <source>This form is locked: nothing can be verified.</source>
        <translation>该表单已锁定：不能进行核查。</translation>
    </message>
    <message>
        <source>Verified: {item}.</source>
        <translation>已核查：{item}。</translation>
    </message>
    <message>
        <source>Take back the verification</source>
        <translation>撤销核查</translation>
    </message>
    <message>
        <source>{item} will need source data verification again. Why?</source>
        <translation>{item} 将需要重新进行源数据核查。原因是什么？</translation>
    </message>
    <message>
        <source>Verified by mistake</source>
        <translation>误标为已核查</translation>
    </message>
    <message>
        <source>The source document was not the right one</source>
        <translation>核对所用的原始文件有误</translation>
    </message>
    <message>
        <source>Verification taken back: {item}.</source>
        <translation>已撤销核查：{item}。</translation>
    </message>
    <message>
        <source>Every value of this form is verified.</source>
        <translation>该表单的所有数据均已核查。</translation>
    </message>
    <message>
        <source>Verify whole form</source>
        <translation>核查整个表单</translation>
    </message>
    <message>
        <source>Mark all {n} pending values of this form as checked against the source documents?</source>
        <translation>将该表单全部 {n} 个待核查数据点标记为已与原始文件核对？</translation>
    </message>
    <message>
        <source>Verified: {n} value(s).</source>
        <translation>已核查：{n} 个数据点。</translation>
    </message>
    <message>
        <source>Save the changes first: only saved data is signed.</source>
        <translation>请先保存更改：只有已保存的数据才能签名。</translation>
    </message>
    <message>
        <source>Signed. The signature is shown above the form.</source>
        <translation>已签名。签名显示在表单上方。</translation>
    </message>
</context>
<context>
    <name>FormPage</name>
    <message>
        <source>Save</source>
        <extracomment>wrong signature credentials locked the account: the session is over (the message) &quot;Print SAE report…&quot; on a serious AE: (subject, AE occurrence) True on the study&apos;s AE form: a serious AE gets &quot;Print SAE report…&quot;</extracomment>
        <translation>保存</translation>
    </message>
    <message>
        <source>Save (Ctrl+S)</source>
        <translation>保存（Ctrl+S）</translation>
    </message>
    <message>
        <source>Mark complete</source>
        <translation>标记完成</translation>
    </message>
    <message>
        <source>Save and mark complete (Ctrl+Shift+S or Ctrl+Enter)</source>
        <translation>保存并标记完成（Ctrl+Shift+S 或 Ctrl+Enter）</translation>
    </message>
    <message>
        <source>History</source>
        <translation>修改记录</translation>
    </message>
    <message>
        <source>History of the current item (F2)</source>
        <translation>当前条目的修改记录（F2）</translation>
    </message>
    <message>
        <source>Form history</source>
        <translation>表单修改记录</translation>
    </message>
    <message>
        <source>History of the whole form (Shift+F2)</source>
        <translation>整个表单的修改记录（Shift+F2）</translation>
    </message>
    <message>
        <source>Print SAE report…</source>
        <translation>打印 SAE 报告…</translation>
    </message>
    <message>
        <source>A PDF of this serious adverse event laid out after CIOMS I, as saved</source>
        <translation>按 CIOMS I 格式生成该严重不良事件的 PDF（以已保存的内容为准）</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Close the form (Ctrl+W)</source>
        <translation>关闭表单（Ctrl+W）</translation>
    </message>
    <message>
        <source>Opening the form…</source>
        <translation>正在打开表单…</translation>
    </message>
    <message>
        <source>Not started</source>
        <translation>未开始</translation>
    </message>
    <message>
        <source>In progress</source>
        <translation>录入中</translation>
    </message>
    <message>
        <source>Complete</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>Signed</source>
        <translation>已签名</translation>
    </message>
    <message>
        <source>Locked</source>
        <translation>已锁定</translation>
    </message>
    <message>
        <source>{event} {n}</source>
        <translation>{event} {n}</translation>
    </message>
    <message>
        <source>{subject} · {event} · {form}</source>
        <translation>{subject} · {event} · {form}</translation>
    </message>
    <message>
        <source>Form version {version} · revision {revision} · last saved {when} by {user}</source>
        <translation>表单版本 {version} · 第 {revision} 次修订 · 最后由 {user} 于 {when} 保存</translation>
    </message>
    <message>
        <source>Form version {version} · not saved yet</source>
        <translation>表单版本 {version} · 尚未保存</translation>
    </message>
    <message>
        <source>read only: your role cannot change clinical data</source>
        <translation>只读：您的角色不能修改临床数据</translation>
    </message>
    <message>
        <source>read only: frozen</source>
        <translation>只读：已冻结</translation>
    </message>
    <message>
        <source>read only: the form is locked</source>
        <translation>只读：表单已锁定</translation>
    </message>
    <message>
        <source>{info} · {why}</source>
        <translation>{info} · {why}</translation>
    </message>
    <message>
        <source>The form could not be opened.</source>
        <translation>无法打开该表单。</translation>
    </message>
    <message>
        <source>{item}: {message}</source>
        <translation>{item}：{message}</translation>
    </message>
    <message>
        <source>Not saved</source>
        <translation>未保存</translation>
    </message>
    <message>
        <source>Correct the refused values first; nothing was saved:</source>
        <translation>请先更正被拒绝的数值；未保存任何内容：</translation>
    </message>
    <message>
        <source>Not complete yet</source>
        <translation>尚未完成</translation>
    </message>
    <message>
        <source>The form cannot be marked complete until these items are done:</source>
        <translation>以下条目完成之前，表单不能标记为完成：</translation>
    </message>
    <message>
        <source>{n} item(s) stop the form being complete.</source>
        <translation>有 {n} 个条目使表单无法完成。</translation>
    </message>
    <message>
        <source>Nothing to save: there are no changes.</source>
        <translation>无需保存：没有修改。</translation>
    </message>
    <message>
        <source>The form is signed: saving a change voids the signature.</source>
        <translation>表单已签名：保存修改将使签名作废。</translation>
    </message>
    <message>
        <source>Reason for change</source>
        <translation>修改原因</translation>
    </message>
    <message>
        <source>This form is {status}. Give the reason for the change; it is kept in the audit trail.</source>
        <translation>该表单状态为：{status}。请填写修改原因；原因将保存在稽查轨迹中。</translation>
    </message>
    <message>
        <source>Not saved: a reason for change is needed.</source>
        <translation>未保存：需要填写修改原因。</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <source>Saved: {status}, {n} change(s).</source>
        <translation>已保存：{status}，{n} 处修改。</translation>
    </message>
    <message>
        <source>{saved} The signature was voided: the form must be signed again.</source>
        <translation>{saved} 签名已作废：表单需要重新签名。</translation>
    </message>
    <message>
        <source>{saved} The form could not be re-read: close and open it again.</source>
        <translation>{saved} 无法重新读取表单：请关闭后重新打开。</translation>
    </message>
    <message>
        <source>Not saved: {message}</source>
        <translation>未保存：{message}</translation>
    </message>
    <message>
        <source>History of {item}</source>
        <translation>{item} 的修改记录</translation>
    </message>
    <message>
        <source>History of {form}</source>
        <translation>{form} 的修改记录</translation>
    </message>
    <message>
        <source>{form} of {subject} has changes that are not saved.</source>
        <translation>受试者 {subject} 的 {form} 有未保存的修改。</translation>
    </message>
</context>
<context>
    <name>FormValues</name>
    <message>
        <source>Yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>No</source>
        <translation>否</translation>
    </message>
</context>
<context>
    <name>FormView</name>
    <message>
        <source>Keep a value outside the expected range</source>
        <extracomment>the width of the label column, in average characters the narrowest the label column gets (pixels)</extracomment>
        <translation>保留超出预期范围的数值</translation>
    </message>
    <message>
        <source>{item}: {message}

Why is this value right? The reason is recorded and the monitor will see a query.</source>
        <translation>{item}：{message}

为什么该数值是正确的？原因将被记录，监查员会看到一条质疑。</translation>
    </message>
    <message>
        <source>Remove row</source>
        <translation>删除行</translation>
    </message>
    <message>
        <source>Remove row {row}? Its values are kept in the audit trail.</source>
        <translation>删除第 {row} 行？该行的数值会保留在稽查轨迹中。</translation>
    </message>
    <message>
        <source>{group}, row {row}: {item}</source>
        <translation>{group}，第 {row} 行：{item}</translation>
    </message>
</context>
<context>
    <name>GroupTable</name>
    <message>
        <source>Add row</source>
        <extracomment>column headers wrap after this many characters (Chinese: per line)</extracomment>
        <translation>新增行</translation>
    </message>
    <message>
        <source>Add a row (Ctrl+Insert or Ctrl+Shift+N)</source>
        <translation>新增一行（Ctrl+Insert 或 Ctrl+Shift+N）</translation>
    </message>
    <message>
        <source>Remove row</source>
        <translation>删除行</translation>
    </message>
    <message>
        <source>Remove the current row (Ctrl+Delete)</source>
        <translation>删除当前行（Ctrl+Delete）</translation>
    </message>
    <message>
        <source>Missing code</source>
        <translation>缺失代码</translation>
    </message>
    <message>
        <source>Missing-data code for the current cell (Ctrl+M)</source>
        <translation>当前单元格的数据缺失代码（Ctrl+M）</translation>
    </message>
    <message>
        <source>Override…</source>
        <translation>确认保留…</translation>
    </message>
    <message>
        <source>Keep the current cell&apos;s value and give the reason</source>
        <translation>保留当前单元格的数值并填写原因</translation>
    </message>
    <message>
        <source>Not applicable in this row</source>
        <translation>本行不适用</translation>
    </message>
    <message>
        <source>{message} — kept: {reason}</source>
        <translation>{message} — 已保留：{reason}</translation>
    </message>
    <message>
        <source>Row {row} · {column}: {message}</source>
        <translation>第 {row} 行 · {column}：{message}</translation>
    </message>
</context>
<context>
    <name>HistoryDialog</name>
    <message>
        <source>When</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Who</source>
        <translation>操作人</translation>
    </message>
    <message>
        <source>What</source>
        <translation>操作</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>条目</translation>
    </message>
    <message>
        <source>Old value</source>
        <translation>原值</translation>
    </message>
    <message>
        <source>New value</source>
        <translation>新值</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Nothing recorded yet: the history starts with the first save.</source>
        <translation>尚无记录：修改记录从第一次保存开始。</translation>
    </message>
</context>
<context>
    <name>Holds</name>
    <message>
        <source>Open</source>
        <translation>开放</translation>
    </message>
    <message>
        <source>Frozen</source>
        <translation>已冻结</translation>
    </message>
    <message>
        <source>Locked</source>
        <translation>已锁定</translation>
    </message>
    <message>
        <source>The site</source>
        <translation>本中心</translation>
    </message>
    <message>
        <source>Subject {subject}</source>
        <translation>受试者 {subject}</translation>
    </message>
    <message>
        <source>{form} — {event} ({subject})</source>
        <translation>{form} — {event}（{subject}）</translation>
    </message>
    <message>
        <source>{what}: locked by {who} on {when}. Reason: {reason}</source>
        <translation>{what}：由 {who} 于 {when} 锁定。原因：{reason}</translation>
    </message>
    <message>
        <source>{what}: frozen by {who} on {when}. Reason: {reason}</source>
        <translation>{what}：由 {who} 于 {when} 冻结。原因：{reason}</translation>
    </message>
</context>
<context>
    <name>ItemEditor</name>
    <message>
        <source>YYYY-MM-DD</source>
        <extracomment>lists up to this long are radio buttons (unless the definition asks for a drop-down) a typed key continues the previous one (type-ahead) within this many seconds</extracomment>
        <translation>YYYY-MM-DD</translation>
    </message>
    <message>
        <source>hh:mm</source>
        <translation>hh:mm</translation>
    </message>
    <message>
        <source>YYYY-MM-DD hh:mm</source>
        <translation>YYYY-MM-DD hh:mm</translation>
    </message>
</context>
<context>
    <name>ItemStatus</name>
    <message>
        <source>Override…</source>
        <extracomment>the status colours, also used by group tables (text, background)</extracomment>
        <translation>确认保留…</translation>
    </message>
    <message>
        <source>Keep this value and give the reason (Ctrl+Shift+O); it raises a query</source>
        <translation>保留该数值并填写原因（Ctrl+Shift+O）；将产生一条质疑</translation>
    </message>
    <message>
        <source>{message} — kept: {reason}</source>
        <translation>{message} — 已保留：{reason}</translation>
    </message>
    <message>
        <source>Change reason…</source>
        <translation>修改原因…</translation>
    </message>
</context>
<context>
    <name>LabGradeHint</name>
    <message>
        <source>symptomatic?</source>
        <translation>有症状？</translation>
    </message>
    <message>
        <source>intervention?</source>
        <translation>需干预？</translation>
    </message>
    <message>
        <source>hospitalization?</source>
        <translation>需住院？</translation>
    </message>
    <message>
        <source>life-threatening?</source>
        <translation>危及生命？</translation>
    </message>
    <message>
        <source>transfusion?</source>
        <translation>需输血？</translation>
    </message>
    <message>
        <source>baseline value?</source>
        <translation>基线值？</translation>
    </message>
    <message>
        <source>CTCAE: report as {term}</source>
        <extracomment>text colour by suggested grade (None: undecided)</extracomment>
        <translation>CTCAE：报告为 {term}</translation>
    </message>
    <message>
        <source>CTCAE grade undecided — {term}</source>
        <translation>CTCAE 分级待定 — {term}</translation>
    </message>
    <message>
        <source>CTCAE grade {grade} — {term}</source>
        <translation>CTCAE {grade} 级 — {term}</translation>
    </message>
    <message>
        <source>{text} · needs: {facts}</source>
        <translation>{text} · 需确认：{facts}</translation>
    </message>
    <message>
        <source>Needed: {facts}</source>
        <translation>需确认：{facts}</translation>
    </message>
    <message>
        <source>A suggestion: the grade of an adverse event is the investigator&apos;s.</source>
        <translation>仅供参考：不良事件的分级由研究者判定。</translation>
    </message>
</context>
<context>
    <name>LesionTracker</name>
    <message>
        <source>Computing the tumour response of {subject}…</source>
        <extracomment>emitted after a load was shown</extracomment>
        <translation>正在计算受试者 {subject} 的肿瘤疗效…</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Compute again from the saved forms (F5)</source>
        <translation>根据已保存的表单重新计算（F5）</translation>
    </message>
    <message>
        <source>Tumour response — {subject}</source>
        <translation>肿瘤疗效 — {subject}</translation>
    </message>
    <message>
        <source>The choice of target lesions is not valid; the responses below are computed all the same.</source>
        <translation>靶病灶的选择不符合规则；以下疗效仍照常计算。</translation>
    </message>
    <message>
        <source>Baseline</source>
        <translation>基线</translation>
    </message>
    <message>
        <source>{lesion} — {message}</source>
        <translation>{lesion} — {message}</translation>
    </message>
    <message>
        <source>No response is computed yet: {why}.</source>
        <translation>尚未计算疗效：{why}。</translation>
    </message>
    <message>
        <source>Left out of the evaluation: {problem}</source>
        <translation>未纳入评估：{problem}</translation>
    </message>
    <message>
        <source>{n} investigator response(s) differ from the computed ones (marked in the grid).</source>
        <translation>有 {n} 项研究者疗效评价与计算结果不一致（已在表格中标出）。</translation>
    </message>
    <message>
        <source>there is no baseline tumour assessment with a date</source>
        <translation>没有已填日期的基线肿瘤评估</translation>
    </message>
    <message>
        <source>the treatment start date is not known yet</source>
        <translation>治疗开始日期尚不明确</translation>
    </message>
    <message>
        <source>{row} — {assessment}: {value}</source>
        <translation>{row} — {assessment}：{value}</translation>
    </message>
    <message>
        <source>differs from the investigator&apos;s response</source>
        <translation>与研究者疗效评价不一致</translation>
    </message>
    <message>
        <source>invalid target choice</source>
        <translation>靶病灶选择不符合规则</translation>
    </message>
    <message>
        <source>assessment with notes</source>
        <translation>有备注的评估</translation>
    </message>
    <message>
        <source>Double-click an assessment or press Enter to open its form.</source>
        <translation>双击某次评估或按 Enter 打开其表单。</translation>
    </message>
</context>
<context>
    <name>LesionTrackerLook</name>
    <message>
        <source>not assessed</source>
        <extracomment>text of errors (invalid target choice) and of progression text of warnings, and the mark of a discrepancy background of a cell where the computed and the investigator&apos;s response differ text of a response (CR, PR) background of the section rows and of the sums-and-responses rows text of values that are not measurements (not assessed, not recorded)</extracomment>
        <translation>未评估</translation>
    </message>
    <message>
        <source>too small ({mm})</source>
        <translation>太小（{mm}）</translation>
    </message>
    <message>
        <source>merged into {lesion}</source>
        <translation>并入 {lesion}</translation>
    </message>
    <message>
        <source>measurable</source>
        <translation>可测量</translation>
    </message>
    <message>
        <source>non-measurable</source>
        <translation>不可测量</translation>
    </message>
    <message>
        <source>normal node</source>
        <translation>正常淋巴结</translation>
    </message>
    <message>
        <source>X-ray</source>
        <translation>X线</translation>
    </message>
    <message>
        <source>caliper</source>
        <translation>卡尺</translation>
    </message>
    <message>
        <source>ultrasound</source>
        <translation>超声</translation>
    </message>
    <message>
        <source>other</source>
        <translation>其他</translation>
    </message>
    <message>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>equivocal</source>
        <translation>不确定</translation>
    </message>
    <message>
        <source>target</source>
        <translation>靶病灶</translation>
    </message>
    <message>
        <source>non-target</source>
        <translation>非靶病灶</translation>
    </message>
    <message>
        <source>new lesions</source>
        <translation>新病灶</translation>
    </message>
    <message>
        <source>iRECIST (with RECIST 1.1)</source>
        <translation>iRECIST（含 RECIST 1.1）</translation>
    </message>
    <message>
        <source>Investigator: {investigator} — computed: {computed}</source>
        <translation>研究者：{investigator} — 计算：{computed}</translation>
    </message>
    <message>
        <source>Target lesions</source>
        <extracomment>a computed response row → the investigator&apos;s key (TrackedTimepoint.investigator) the investigator&apos;s row under each computed response row</extracomment>
        <translation>靶病灶</translation>
    </message>
    <message>
        <source>Non-target lesions</source>
        <translation>非靶病灶</translation>
    </message>
    <message>
        <source>Sums and responses</source>
        <translation>直径总和与疗效</translation>
    </message>
    <message>
        <source>Sum of diameters (mm)</source>
        <translation>直径总和（mm）</translation>
    </message>
    <message>
        <source>Change from baseline</source>
        <translation>较基线变化</translation>
    </message>
    <message>
        <source>Nadir before this assessment (mm)</source>
        <translation>本次评估前最低值（mm）</translation>
    </message>
    <message>
        <source>Change from nadir</source>
        <translation>较最低值变化</translation>
    </message>
    <message>
        <source>Target response</source>
        <translation>靶病灶疗效</translation>
    </message>
    <message>
        <source>Target response (investigator)</source>
        <translation>靶病灶疗效（研究者）</translation>
    </message>
    <message>
        <source>Non-target response</source>
        <translation>非靶病灶疗效</translation>
    </message>
    <message>
        <source>Non-target response (investigator)</source>
        <translation>非靶病灶疗效（研究者）</translation>
    </message>
    <message>
        <source>New lesions</source>
        <translation>新病灶</translation>
    </message>
    <message>
        <source>Overall response (RECIST 1.1)</source>
        <translation>总体疗效（RECIST 1.1）</translation>
    </message>
    <message>
        <source>Overall response (investigator)</source>
        <translation>总体疗效（研究者）</translation>
    </message>
    <message>
        <source>iRECIST response</source>
        <translation>iRECIST 疗效</translation>
    </message>
    <message>
        <source>iRECIST response (investigator)</source>
        <translation>iRECIST 疗效（研究者）</translation>
    </message>
    <message>
        <source>New-lesion target sum (mm)</source>
        <translation>新病灶靶病灶直径总和（mm）</translation>
    </message>
    <message>
        <source>iUPD categories</source>
        <translation>iUPD 类别</translation>
    </message>
    <message>
        <source>Lesion</source>
        <extracomment>lesion columns a narrow grid hides (the ID cell&apos;s tooltip still says what they hold)</extracomment>
        <translation>病灶</translation>
    </message>
    <message>
        <source>Organ</source>
        <translation>器官</translation>
    </message>
    <message>
        <source>Node</source>
        <translation>淋巴结</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>检查方法</translation>
    </message>
    <message>
        <source>Baseline class</source>
        <translation>基线分类</translation>
    </message>
    <message>
        <source>Irradiated</source>
        <translation>既往放疗</translation>
    </message>
</context>
<context>
    <name>LesionTrackerModel</name>
    <message>
        <source>day {day} after the treatment start</source>
        <translation>治疗开始后第 {day} 天</translation>
    </message>
    <message>
        <source>Baseline</source>
        <translation>基线</translation>
    </message>
    <message>
        <source>{event}, {date}</source>
        <translation>{event}，{date}</translation>
    </message>
    <message>
        <source>Notes:</source>
        <translation>备注：</translation>
    </message>
    <message>
        <source>Double-click, or press Enter in this column, to open its form.</source>
        <translation>双击或在此列中按 Enter 打开其表单。</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <source>{method}, slices {mm} mm</source>
        <translation>{method}，层厚 {mm} mm</translation>
    </message>
    <message>
        <source>target lesion</source>
        <translation>靶病灶</translation>
    </message>
    <message>
        <source>non-target lesion</source>
        <translation>非靶病灶</translation>
    </message>
    <message>
        <source>{lesion}: {role}, {organ}</source>
        <translation>{lesion}：{role}，{organ}</translation>
    </message>
    <message>
        <source>Method: {method}</source>
        <translation>检查方法：{method}</translation>
    </message>
    <message>
        <source>Baseline class: {classification} ({reason})</source>
        <translation>基线分类：{classification}（{reason}）</translation>
    </message>
    <message>
        <source>progressed since: yes</source>
        <translation>放疗后进展：是</translation>
    </message>
    <message>
        <source>progressed since: no</source>
        <translation>放疗后进展：否</translation>
    </message>
    <message>
        <source>progressed since: not recorded</source>
        <translation>放疗后进展：未记录</translation>
    </message>
    <message>
        <source>{dose} Gy</source>
        <translation>{dose} Gy</translation>
    </message>
    <message>
        <source>last irradiation {date}</source>
        <translation>末次放疗 {date}</translation>
    </message>
    <message>
        <source>In a previously irradiated field ({details})</source>
        <translation>位于既往放疗野内（{details}）</translation>
    </message>
    <message>
        <source>Error: {message}</source>
        <translation>错误：{message}</translation>
    </message>
    <message>
        <source>Warning: {message}</source>
        <translation>警告：{message}</translation>
    </message>
    <message>
        <source>Non-target lesions are judged together: see the non-target response.</source>
        <translation>非靶病灶作为整体评价：见非靶病灶疗效。</translation>
    </message>
    <message>
        <source>not measured</source>
        <translation>未测量</translation>
    </message>
    <message>
        <source>{lesion} at baseline ({date}): {value}</source>
        <translation>{lesion}，基线（{date}）：{value}</translation>
    </message>
    <message>
        <source>not scanned</source>
        <translation>未扫描</translation>
    </message>
    <message>
        <source>{lesion}, {event} ({date}): {value}</source>
        <translation>{lesion}，{event}（{date}）：{value}</translation>
    </message>
    <message>
        <source>The form has no row for this lesion: it counts as not assessed.</source>
        <translation>表单中没有该病灶的记录行：按未评估处理。</translation>
    </message>
    <message>
        <source>Too small to measure: counts as 5 mm.</source>
        <translation>太小无法测量：按 5 mm 计。</translation>
    </message>
    <message>
        <source>Fragments of a split lesion: their diameters are added.</source>
        <translation>病灶分裂后的各部分：直径相加。</translation>
    </message>
    <message>
        <source>Merged into another lesion: counts as 0 mm.</source>
        <translation>已与另一病灶融合：按 0 mm 计。</translation>
    </message>
    <message>
        <source>Sum of the target lesions&apos; diameters at baseline: the reference for PR.</source>
        <translation>基线靶病灶直径总和：判定 PR 的参照值。</translation>
    </message>
    <message>
        <source>{mm} (incomplete)</source>
        <translation>{mm}（不完整）</translation>
    </message>
    <message>
        <source>A target was not assessed: {mm} mm is the sum of those measured.</source>
        <translation>有靶病灶未评估：{mm} mm 为已测量病灶的直径之和。</translation>
    </message>
    <message>
        <source>The smallest sum before this assessment (baseline included): the reference for PD.</source>
        <translation>本次评估前的最小直径总和（含基线）：判定 PD 的参照值。</translation>
    </message>
    <message>
        <source>{mm} mm</source>
        <translation>{mm} mm</translation>
    </message>
    <message>
        <source>{pct} ({mm} mm)</source>
        <translation>{pct}（{mm} mm）</translation>
    </message>
    <message>
        <source>{response} (this sum alone: {raw})</source>
        <translation>{response}（仅按本次总和：{raw}）</translation>
    </message>
    <message>
        <source>No non-target lesions at baseline.</source>
        <translation>基线时无非靶病灶。</translation>
    </message>
    <message>
        <source>Not recorded by the investigator.</source>
        <translation>研究者未记录。</translation>
    </message>
</context>
<context>
    <name>LockScreen</name>
    <message>
        <source>Locked</source>
        <translation>已锁定</translation>
    </message>
    <message>
        <source>The session was locked to protect the data. Enter the password of {name} ({user}) to continue where you were.</source>
        <translation>为保护数据，会话已锁定。请输入 {name}（{user}）的密码，从中断处继续。</translation>
    </message>
    <message>
        <source>Unlock</source>
        <translation>解锁</translation>
    </message>
    <message>
        <source>Log out</source>
        <translation>退出登录</translation>
    </message>
</context>
<context>
    <name>LoginWindow</name>
    <message>
        <source>npc-crf — log in</source>
        <translation>npc-crf — 登录</translation>
    </message>
    <message>
        <source>Site {site} · version {version}</source>
        <translation>中心 {site} · 版本 {version}</translation>
    </message>
    <message>
        <source>The site&apos;s data folder cannot be used at the moment.</source>
        <translation>目前无法使用本中心的数据文件夹。</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>Log in</source>
        <translation>登录</translation>
    </message>
    <message>
        <source>Try again</source>
        <translation>重试</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <source>The site&apos;s data folder cannot be opened:</source>
        <translation>无法打开本中心的数据文件夹：</translation>
    </message>
    <message>
        <source>Enter your user name and your password.</source>
        <translation>请输入用户名和密码。</translation>
    </message>
</context>
<context>
    <name>LookupEditor</name>
    <message>
        <source>Type part of the term or its code</source>
        <extracomment>True when Enter should leave all of this editor&apos;s inputs at once True when the editor should take the row&apos;s spare width (free text)</extracomment>
        <translation>输入术语的一部分或其代码</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Subjects</source>
        <extracomment>pages a form page returns to when it was opened from them (else the casebook) makes a form page: (ws, runner, subject, event, occurrence, form, lang) → the page a form page saved: (subject, event, occurrence, form); the lesion tracker follows it</extracomment>
        <translation>受试者</translation>
    </message>
    <message>
        <source>Worklist</source>
        <translation>工作清单</translation>
    </message>
    <message>
        <source>Queries</source>
        <translation>质疑</translation>
    </message>
    <message>
        <source>Sync</source>
        <translation>同步</translation>
    </message>
    <message>
        <source>Reports</source>
        <translation>报告</translation>
    </message>
    <message>
        <source>Administration</source>
        <translation>系统管理</translation>
    </message>
    <message>
        <source>npc-crf — site {site} — {name}</source>
        <translation>npc-crf — 中心 {site} — {name}</translation>
    </message>
    <message>
        <source>&amp;Session</source>
        <translation>会话(&amp;S)</translation>
    </message>
    <message>
        <source>Change my password…</source>
        <translation>修改我的密码…</translation>
    </message>
    <message>
        <source>Lock the screen</source>
        <translation>锁定屏幕</translation>
    </message>
    <message>
        <source>Log out</source>
        <translation>退出登录</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>Font size</source>
        <translation>字号</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>About npc-crf</source>
        <translation>关于 npc-crf</translation>
    </message>
    <message>
        <source>&amp;Monitoring</source>
        <translation>监查(&amp;M)</translation>
    </message>
    <message>
        <source>Export SDV report (CSV)…</source>
        <translation>导出 SDV 报告（CSV）…</translation>
    </message>
    <message>
        <source>Form</source>
        <translation>表单</translation>
    </message>
    <message>
        <source>A wrong password was given {count} times at the lock screen: the account {user} is locked for {minutes} minutes and the session has ended. Input that was not saved is lost.</source>
        <translation>在锁屏界面输错密码 {count} 次：账户 {user} 已被锁定 {minutes} 分钟，本次会话已结束。未保存的输入已丢失。</translation>
    </message>
    <message>
        <source>Wrong password.</source>
        <translation>密码错误。</translation>
    </message>
    <message>
        <source>{name} has unsaved input in an open form. Logging out now discards it. Log out anyway?</source>
        <translation>{name} 在打开的表单中有未保存的内容。现在退出登录将丢弃这些内容。仍要退出登录吗？</translation>
    </message>
    <message>
        <source>Logging out…</source>
        <translation>正在退出登录…</translation>
    </message>
    <message>
        <source>{name} has unsaved input in an open form. Quitting now discards it. Quit anyway?</source>
        <translation>{name} 在打开的表单中有未保存的内容。现在退出将丢弃这些内容。仍要退出吗？</translation>
    </message>
    <message>
        <source>npc-crf {version}
Offline case report forms for trials in recurrent or metastatic nasopharyngeal carcinoma.</source>
        <translation>npc-crf {version}
用于复发/转移性鼻咽癌临床试验的离线病例报告表。</translation>
    </message>
</context>
<context>
    <name>MissingButton</name>
    <message>
        <source>Missing-data code (Ctrl+M)</source>
        <translation>数据缺失代码（Ctrl+M）</translation>
    </message>
    <message>
        <source>Missing-data code</source>
        <translation>数据缺失代码</translation>
    </message>
    <message>
        <source>Clear the answer</source>
        <translation>清除答案</translation>
    </message>
</context>
<context>
    <name>Monitoring</name>
    <message>
        <source>Export SDV report</source>
        <translation>导出 SDV 报告</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <source>The SDV report was written to {path} (1 value).</source>
        <translation>SDV 报告已写入 {path}（1 个数据点）。</translation>
    </message>
    <message>
        <source>The SDV report was written to {path} ({rows} values).</source>
        <translation>SDV 报告已写入 {path}（{rows} 个数据点）。</translation>
    </message>
</context>
<context>
    <name>MonitoringBar</name>
    <message>
        <source>Only values to verify</source>
        <extracomment>(text, background) of the hold banner</extracomment>
        <translation>仅显示待核查</translation>
    </message>
    <message>
        <source>Show only the items whose values still need source data verification</source>
        <translation>仅显示仍需源数据核查的条目</translation>
    </message>
    <message>
        <source>Verify whole form</source>
        <translation>核查整个表单</translation>
    </message>
    <message>
        <source>Mark every pending value of this form as verified against the source</source>
        <translation>将该表单所有待核查数据点标记为已与原始文件核对</translation>
    </message>
    <message>
        <source>Sign…</source>
        <translation>签名…</translation>
    </message>
    <message>
        <source>Query on form…</source>
        <translation>表单质疑…</translation>
    </message>
    <message>
        <source>Note on form…</source>
        <translation>表单备注…</translation>
    </message>
    <message>
        <source>Raise a query about the whole form; for one item use its menu or {key}</source>
        <translation>针对整个表单提出质疑；针对单个条目请使用其菜单或 {key}</translation>
    </message>
    <message>
        <source>Write a note about the whole form; for one item use its menu or {key}</source>
        <translation>针对整个表单添加备注；针对单个条目请使用其菜单或 {key}</translation>
    </message>
    <message>
        <source>SDV: {verified} of {total} verified</source>
        <translation>SDV：已核查 {verified}/{total}</translation>
    </message>
    <message>
        <source>{n} value(s) still need source data verification.</source>
        <translation>还有 {n} 个数据点需要源数据核查。</translation>
    </message>
    <message>
        <source>Every value that needs it has been verified against the source.</source>
        <translation>所有需核查的数据均已与原始文件核对。</translation>
    </message>
    <message>
        <source>Sign this form electronically (asks for your password)</source>
        <translation>对该表单进行电子签名（需输入密码）</translation>
    </message>
    <message>
        <source>Only a complete form that is not locked can be signed</source>
        <translation>只有已完成且未锁定的表单才能签名</translation>
    </message>
    <message>
        <source>Nothing can be changed: no data, queries, SDV or signatures.</source>
        <translation>任何内容都不能更改：数据、质疑、SDV 和签名均不可操作。</translation>
    </message>
    <message>
        <source>The data cannot be changed; queries, SDV and signing go on.</source>
        <translation>数据不能修改；质疑、SDV 和签名仍可继续。</translation>
    </message>
    <message>
        <source>the whole site</source>
        <translation>整个中心</translation>
    </message>
    <message>
        <source>subject {subject}</source>
        <translation>受试者 {subject}</translation>
    </message>
    <message>
        <source>this form</source>
        <translation>本表单</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <source>none recorded</source>
        <translation>未记录</translation>
    </message>
    <message>
        <source>Locked ({where}) by {who} on {when}. Reason: {why}</source>
        <translation>由 {who} 于 {when} 锁定（{where}）。原因：{why}</translation>
    </message>
    <message>
        <source>Frozen ({where}) by {who} on {when}. Reason: {why}</source>
        <translation>由 {who} 于 {when} 冻结（{where}）。原因：{why}</translation>
    </message>
    <message>
        <source>Electronically signed by {name} ({user}) on {when}. Meaning: {meaning}</source>
        <translation>由 {name}（{user}）于 {when} 电子签名。签名含义：{meaning}</translation>
    </message>
    <message>
        <source>Voided: signed by {name} ({user}) on {when}, meaning: {meaning}; voided on {voided}: {reason}</source>
        <translation>已作废：由 {name}（{user}）于 {when} 签名，签名含义：{meaning}；于 {voided} 作废：{reason}</translation>
    </message>
    <message>
        <source>Voided signatures ({n})</source>
        <translation>已作废的签名（{n}）</translation>
    </message>
    <message>
        <source>Open the first open query of this form</source>
        <translation>打开该表单的第一条未关闭质疑</translation>
    </message>
    <message>
        <source>No open queries ({n} closed or notes)</source>
        <translation>无未关闭的质疑（{n} 条已关闭或为备注）</translation>
    </message>
    <message>
        <source>Choose one of this form&apos;s queries to read</source>
        <translation>选择该表单的一条质疑进行查看</translation>
    </message>
</context>
<context>
    <name>NextVisit</name>
    <message>
        <source>{visit} · {due}</source>
        <extracomment>a role giving a value that sorts right (dates as ISO text, counts as numbers) a role giving what a row or a cell leads to (a subject ID, a WorkItem, a CellTarget) a role giving a header&apos;s VisitState (or None) text colour of a visit by its state; None: the palette&apos;s normal text (cell background, mark colour) of a casebook cell by its state background of a cell whose form does not belong to that event text on the light cell backgrounds (whatever the palette) marks that need attention: open queries, an SAE (background, text) of what is frozen or locked: the casebook&apos;s banner, the subjects&apos; marker</extracomment>
        <translation>{visit} · {due}</translation>
    </message>
    <message>
        <source>{visit} · {due} ({window})</source>
        <translation>{visit} · {due}（{window}）</translation>
    </message>
    <message>
        <source>{visit}: {state}, on {date}</source>
        <translation>{visit}：{state}，于 {date}</translation>
    </message>
    <message>
        <source>{visit}: {state}</source>
        <translation>{visit}：{state}</translation>
    </message>
    <message>
        <source>{visit}: {state}, due {due} ({days})</source>
        <translation>{visit}：{state}，应于 {due}（{days}）</translation>
    </message>
    <message>
        <source>Window: {window}</source>
        <translation>访视窗：{window}</translation>
    </message>
</context>
<context>
    <name>OutboxStatus</name>
    <message>
        <source>Created</source>
        <extracomment>the status texts (context ``OutboxStatus``), translated when shown</extracomment>
        <translation>已创建</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>已发送</translation>
    </message>
    <message>
        <source>Held at the center</source>
        <translation>协调中心暂存</translation>
    </message>
    <message>
        <source>Acknowledged</source>
        <translation>已确认</translation>
    </message>
    <message>
        <source>Made and kept in the outbox; not copied anywhere yet.</source>
        <extracomment>what each status means (the status cell&apos;s tooltip)</extracomment>
        <translation>已生成并保存在发件箱中；尚未复制到任何地方。</translation>
    </message>
    <message>
        <source>Copied to a folder or drive and checked there. The center may not have it yet.</source>
        <translation>已复制到文件夹或移动存储设备并经过核对。协调中心可能尚未收到。</translation>
    </message>
    <message>
        <source>The center has it, verified, but holds it until an earlier bundle arrives.</source>
        <translation>协调中心已收到并验证，但在更早的数据包到达之前暂存，不予导入。</translation>
    </message>
    <message>
        <source>The center imported it: the data it carries are safe at the coordinating center.</source>
        <translation>协调中心已导入：其中的数据已安全保存在协调中心。</translation>
    </message>
</context>
<context>
    <name>OutboxTable</name>
    <message>
        <source>No.</source>
        <extracomment>(background, text) of the status cell; green only for acknowledged the order of the statuses when the Status column is sorted</extracomment>
        <translation>序号</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>创建时间</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Values</source>
        <translation>数值数</translation>
    </message>
    <message>
        <source>Audit entries</source>
        <translation>稽查记录数</translation>
    </message>
    <message>
        <source>Queries</source>
        <translation>质疑数</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>发送时间</translation>
    </message>
    <message>
        <source>Sent to</source>
        <translation>发送至</translation>
    </message>
    <message>
        <source>Acknowledged</source>
        <translation>确认时间</translation>
    </message>
    <message>
        <source>Full</source>
        <translation>完整</translation>
    </message>
    <message>
        <source>Incremental</source>
        <translation>增量</translation>
    </message>
    <message>
        <source>{bytes} bytes</source>
        <translation>{bytes} 字节</translation>
    </message>
</context>
<context>
    <name>PartialDateEdit</name>
    <message>
        <source>YYYY</source>
        <extracomment>in a table cell: leave forwards (True), backwards (False) or just close (None)</extracomment>
        <translation>年</translation>
    </message>
    <message>
        <source>MM</source>
        <translation>月</translation>
    </message>
    <message>
        <source>DD</source>
        <translation>日</translation>
    </message>
    <message>
        <source>Year (4 digits)</source>
        <translation>年（4 位数字）</translation>
    </message>
    <message>
        <source>Month: 1 to 12, or UNK when it is not known</source>
        <translation>月：1 到 12，不详时填 UNK</translation>
    </message>
    <message>
        <source>Day: 1 to 31, or UNK when it is not known</source>
        <translation>日：1 到 31，不详时填 UNK</translation>
    </message>
    <message>
        <source>Enter the year with 4 digits</source>
        <translation>请输入 4 位数字的年份</translation>
    </message>
    <message>
        <source>Enter the month, or UNK if it is not known</source>
        <translation>请输入月份，不详时填 UNK</translation>
    </message>
    <message>
        <source>Enter the day, or UNK if it is not known</source>
        <translation>请输入日期，不详时填 UNK</translation>
    </message>
    <message>
        <source>The month is a number from 1 to 12</source>
        <translation>月份应为 1 到 12 之间的数字</translation>
    </message>
    <message>
        <source>That month has no such day</source>
        <translation>该月没有这一天</translation>
    </message>
    <message>
        <source>With the month unknown, the day is unknown too</source>
        <translation>月份不详时，日期也必须为不详</translation>
    </message>
</context>
<context>
    <name>PasswordDialog</name>
    <message>
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <source>Full name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>Initial password</source>
        <translation>初始密码</translation>
    </message>
    <message>
        <source>Password again</source>
        <translation>再次输入密码</translation>
    </message>
    <message>
        <source>&apos;{user}&apos; is not a valid user name: 2–32 lower-case letters, digits, &apos;.&apos;, &apos;_&apos; or &apos;-&apos;, starting with a letter.</source>
        <translation>“{user}”不是有效的用户名：应为 2–32 个小写字母、数字、“.”、“_”或“-”，并以字母开头。</translation>
    </message>
    <message>
        <source>The full name is needed: it is printed with every signature.</source>
        <translation>需要填写姓名：每个签名都会打印姓名。</translation>
    </message>
    <message>
        <source>The two passwords are not the same.</source>
        <translation>两次输入的密码不一致。</translation>
    </message>
</context>
<context>
    <name>Queries</name>
    <message>
        <source>New</source>
        <extracomment>text colour of a query by its status: red waits for an answer, orange was answered, blue waits for the monitor&apos;s decision, green is done, grey needs nothing</extracomment>
        <translation>新建</translation>
    </message>
    <message>
        <source>Updated</source>
        <translation>已更新</translation>
    </message>
    <message>
        <source>Resolution proposed</source>
        <translation>已提出解决方案</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>已关闭</translation>
    </message>
    <message>
        <source>Not applicable</source>
        <translation>不适用</translation>
    </message>
    <message>
        <source>Failed check</source>
        <translation>逻辑核查未通过</translation>
    </message>
    <message>
        <source>Question</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>Reason for change</source>
        <translation>修改原因</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Reply</source>
        <translation>回复</translation>
    </message>
    <message>
        <source>Propose resolution</source>
        <translation>提出解决方案</translation>
    </message>
    <message>
        <source>Close query</source>
        <translation>关闭质疑</translation>
    </message>
    <message>
        <source>Reopen</source>
        <translation>重新打开</translation>
    </message>
    <message>
        <source>anyone</source>
        <translation>任何人</translation>
    </message>
    <message>
        <source>the subject as a whole</source>
        <translation>受试者整体</translation>
    </message>
    <message>
        <source>{group}, row {row}: {item}</source>
        <translation>{group}，第 {row} 行：{item}</translation>
    </message>
    <message>
        <source>1 day old</source>
        <translation>历时 1 天</translation>
    </message>
    <message>
        <source>{days} days old</source>
        <translation>历时 {days} 天</translation>
    </message>
    <message>
        <source>{local} ({utc} UTC)</source>
        <translation>{local}（{utc} UTC）</translation>
    </message>
</context>
<context>
    <name>QueriesView</name>
    <message>
        <source>Filter by subject ID</source>
        <extracomment>the status filter&apos;s &quot;open&quot; choice: new, updated and resolution proposed the status filter&apos;s &quot;every status&quot; choice the About column is never narrower than this (pixels) how long after the last change of a filter the table reloads (typing an age) emitted after the table was (re)filled</extracomment>
        <translation>按受试者编号筛选</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>未关闭</translation>
    </message>
    <message>
        <source>New, updated or resolution proposed</source>
        <translation>新建、已更新或已提出解决方案</translation>
    </message>
    <message>
        <source>All statuses</source>
        <translation>全部状态</translation>
    </message>
    <message>
        <source>All forms</source>
        <translation>全部表单</translation>
    </message>
    <message>
        <source>Anyone</source>
        <translation>不限</translation>
    </message>
    <message>
        <source>any age</source>
        <translation>不限</translation>
    </message>
    <message>
        <source> days</source>
        <translation> 天</translation>
    </message>
    <message>
        <source>Only queries raised more than this many days ago</source>
        <translation>仅显示提出时间超过该天数的质疑</translation>
    </message>
    <message>
        <source>Waiting for me</source>
        <translation>待我处理</translation>
    </message>
    <message>
        <source>Only the queries your role should act on now (as on the worklist)</source>
        <translation>仅显示您的角色当前需要处理的质疑（与工作清单一致）</translation>
    </message>
    <message>
        <source>Open form</source>
        <translation>打开表单</translation>
    </message>
    <message>
        <source>Open the form at the item (Enter)</source>
        <translation>打开表单并定位到该条目（Enter）</translation>
    </message>
    <message>
        <source>Raise query…</source>
        <translation>提出质疑…</translation>
    </message>
    <message>
        <source>Write a note…</source>
        <translation>添加备注…</translation>
    </message>
    <message>
        <source>About a subject as a whole</source>
        <translation>针对受试者整体</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Read the queries again (F5)</source>
        <translation>重新读取质疑（F5）</translation>
    </message>
    <message>
        <source>Status:</source>
        <translation>状态：</translation>
    </message>
    <message>
        <source>Form:</source>
        <translation>表单：</translation>
    </message>
    <message>
        <source>Assigned to:</source>
        <translation>指派给：</translation>
    </message>
    <message>
        <source>Older than:</source>
        <translation>已提出超过：</translation>
    </message>
    <message>
        <source>Loading the queries…</source>
        <translation>正在载入质疑…</translation>
    </message>
    <message>
        <source>{shown} of {total} queries</source>
        <translation>共 {total} 条质疑，显示 {shown} 条</translation>
    </message>
    <message>
        <source>Nothing is waiting for you with these filters.</source>
        <translation>在当前筛选条件下，没有待您处理的质疑。</translation>
    </message>
    <message>
        <source>No query matches the filters.</source>
        <translation>没有符合筛选条件的质疑。</translation>
    </message>
    <message>
        <source>Open casebook</source>
        <translation>打开病例报告表</translation>
    </message>
    <message>
        <source>Subject:</source>
        <translation>受试者：</translation>
    </message>
</context>
<context>
    <name>QueryMarker</name>
    <message>
        <source>{status}: {text}</source>
        <extracomment>(background, text) of a marker by urgency: 2 open, 1 resolution proposed, 0 done a readable text colour for each urgency, on the page&apos;s own background SDV colours: (text, background) pending and verified</extracomment>
        <translation>{status}：{text}</translation>
    </message>
    <message>
        <source>{n} {status}</source>
        <translation>{status} {n} 条</translation>
    </message>
    <message>
        <source>Queries: {summary}</source>
        <translation>质疑：{summary}</translation>
    </message>
    <message>
        <source>, </source>
        <translation>，</translation>
    </message>
    <message>
        <source>Latest, {name} ({role}) {when}:</source>
        <translation>最新消息，{name}（{role}）{when}：</translation>
    </message>
</context>
<context>
    <name>QueryTable</name>
    <message>
        <source>Subject</source>
        <extracomment>characters of the last message shown in the table (the whole text is its tooltip) the order of the statuses when the Status column is sorted: waiting ones first</extracomment>
        <translation>受试者</translation>
    </message>
    <message>
        <source>About</source>
        <translation>涉及内容</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Assigned to</source>
        <translation>指派给</translation>
    </message>
    <message>
        <source>Age (days)</source>
        <translation>历时（天）</translation>
    </message>
    <message>
        <source>Last message</source>
        <translation>最新消息</translation>
    </message>
    <message>
        <source>{name}: {text}</source>
        <translation>{name}：{text}</translation>
    </message>
</context>
<context>
    <name>QueryThreadDialog</name>
    <message>
        <source>Query</source>
        <translation>质疑</translation>
    </message>
    <message>
        <source>Query about {where}</source>
        <translation>质疑 — {where}</translation>
    </message>
</context>
<context>
    <name>QueryThreadWidget</name>
    <message>
        <source>Your message:</source>
        <extracomment>the steps, in the order of their buttons the steps that may pass the query to another role the roles a query may be passed to a step was taken on the query with this uid (the new state is shown) a query asked for with :meth:`load` is shown</extracomment>
        <translation>您的留言：</translation>
    </message>
    <message>
        <source>An answer, a proposed resolution, or why the query is closed</source>
        <translation>答复、提出的解决方案，或关闭质疑的原因</translation>
    </message>
    <message>
        <source>Pass to:</source>
        <translation>转交给：</translation>
    </message>
    <message>
        <source>A reply or a reopen may pass the query to another role</source>
        <translation>回复或重新打开时，可将质疑转交给其他角色</translation>
    </message>
    <message>
        <source>(keep the assignment)</source>
        <translation>（保持当前指派）</translation>
    </message>
    <message>
        <source>Loading the query…</source>
        <translation>正在载入质疑…</translation>
    </message>
    <message>
        <source>No query chosen</source>
        <translation>未选择质疑</translation>
    </message>
    <message>
        <source>Choose a query in the list to read its thread.</source>
        <translation>请在列表中选择一条质疑，查看其往来记录。</translation>
    </message>
    <message>
        <source>{subject} · {about}</source>
        <translation>{subject} · {about}</translation>
    </message>
    <message>
        <source>assigned to {role}</source>
        <translation>指派给：{role}</translation>
    </message>
    <message>
        <source>{age} · raised {when} by {name}</source>
        <translation>{age} · 由 {name} 于 {when} 提出</translation>
    </message>
    <message>
        <source>{name}, {role}</source>
        <translation>{name}，{role}</translation>
    </message>
    <message>
        <source>status → {status}</source>
        <translation>状态 → {status}</translation>
    </message>
    <message>
        <source>No query is chosen.</source>
        <translation>未选择质疑。</translation>
    </message>
    <message>
        <source>Only a monitor closes a query or marks it not applicable; propose a resolution instead.</source>
        <translation>只有监查员可以关闭质疑或将其标记为不适用；您可以提出解决方案。</translation>
    </message>
    <message>
        <source>Only a monitor reopens a query.</source>
        <translation>只有监查员可以重新打开质疑。</translation>
    </message>
    <message>
        <source>Your role reads queries but does not answer them.</source>
        <translation>您的角色可以查看质疑，但不能答复。</translation>
    </message>
    <message>
        <source>A note cannot be reopened: raise a query instead.</source>
        <translation>备注不能重新打开：请改为提出质疑。</translation>
    </message>
    <message>
        <source>Only a closed or not-applicable query can be reopened.</source>
        <translation>只有已关闭或不适用的质疑才能重新打开。</translation>
    </message>
    <message>
        <source>The query is {status}: it takes no replies or status changes until a monitor reopens it.</source>
        <translation>该质疑状态为“{status}”：在监查员重新打开之前，不能回复或更改状态。</translation>
    </message>
    <message>
        <source>Your role reads queries; it takes no step on them.</source>
        <translation>您的角色只能查看质疑，不能进行任何操作。</translation>
    </message>
    <message>
        <source>This is a note on the data: nobody has to act on it.</source>
        <translation>这是关于数据的备注：无需任何人处理。</translation>
    </message>
    <message>
        <source>This query is {status}: only a monitor can reopen it.</source>
        <translation>该质疑状态为“{status}”：只有监查员可以重新打开。</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <source>Saved. The query is now {status}.</source>
        <translation>已保存。该质疑当前状态为“{status}”。</translation>
    </message>
</context>
<context>
    <name>RaiseQueryDialog</name>
    <message>
        <source>Raise a query</source>
        <extracomment>the roles a question may be assigned to, in the order offered</extracomment>
        <translation>提出质疑</translation>
    </message>
    <message>
        <source>Write a note</source>
        <translation>添加备注</translation>
    </message>
    <message>
        <source>For:</source>
        <translation>指派给：</translation>
    </message>
    <message>
        <source>Raise it (Ctrl+Enter)</source>
        <translation>提出质疑（Ctrl+Enter）</translation>
    </message>
    <message>
        <source>Kind:</source>
        <translation>类型：</translation>
    </message>
    <message>
        <source>About: {where}</source>
        <translation>涉及：{where}</translation>
    </message>
    <message>
        <source>Your role cannot raise queries or write notes.</source>
        <translation>您的角色不能提出质疑或添加备注。</translation>
    </message>
    <message>
        <source>The person it is for sees it on their worklist and answers it.</source>
        <translation>被指派人会在其工作清单中看到该质疑并作出答复。</translation>
    </message>
    <message>
        <source>A note needs no answer; it stays with the data.</source>
        <translation>备注无需答复，将随数据一并保存。</translation>
    </message>
    <message>
        <source>The question, e.g. what to check in the source document</source>
        <translation>问题内容，例如需在原始文件中核对的内容</translation>
    </message>
    <message>
        <source>The note</source>
        <translation>备注内容</translation>
    </message>
    <message>
        <source>Raise</source>
        <translation>提出</translation>
    </message>
    <message>
        <source>Add note</source>
        <translation>添加备注</translation>
    </message>
</context>
<context>
    <name>ReasonDialog</name>
    <message>
        <source>(choose a common reason, or type one below)</source>
        <translation>（选择常用原因，或在下方输入）</translation>
    </message>
    <message>
        <source>Reason, or details of the reason chosen above</source>
        <translation>原因，或上方所选原因的详细说明</translation>
    </message>
    <message>
        <source>{reason}: {details}</source>
        <translation>{reason}：{details}</translation>
    </message>
</context>
<context>
    <name>RecoveryKeyPage</name>
    <message>
        <source>The recovery key</source>
        <translation>恢复密钥</translation>
    </message>
    <message>
        <source>It is shown now and never again.</source>
        <translation>它只显示这一次。</translation>
    </message>
    <message>
        <source>If the administrator&apos;s password is lost, this key is the only way into the site&apos;s data. Write it down or print it, and keep it in the site&apos;s safe — not on this computer.</source>
        <translation>如果管理员密码丢失，此密钥是进入本中心数据的唯一途径。请抄写或打印出来，存放在中心的保险柜中——不要保存在这台电脑上。</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Print…</source>
        <translation>打印…</translation>
    </message>
    <message>
        <source>I have stored the recovery key safely</source>
        <translation>我已妥善保存恢复密钥</translation>
    </message>
    <message>
        <source>npc-crf recovery key

Site {site}, installation {installation}
Data folder: {folder}

{key}

Keep this sheet in the site&apos;s safe.</source>
        <translation>npc-crf 恢复密钥

中心 {site}，安装 {installation}
数据文件夹：{folder}

{key}

请将此页存放在中心的保险柜中。</translation>
    </message>
</context>
<context>
    <name>ReportTexts</name>
    <message>
        <source>Blank CRF</source>
        <extracomment>the kinds in the order the page lists them kinds whose rendering stops between pages when cancelled the PDF file to write, or the folder of a batch of casebooks CRFs: the forms (None: the whole study) casebooks (several: a batch into the folder ``target``); SAE, queries, SDV: one or none SAE reports: the AE&apos;s occurrence query reports: closed queries too why the serious AEs could not be listed (empty when they could) why the register could not be read (empty when it could)</extracomment>
        <translation>空白病例报告表</translation>
    </message>
    <message>
        <source>Annotated CRF</source>
        <translation>注释病例报告表</translation>
    </message>
    <message>
        <source>Subject casebook</source>
        <translation>受试者病例报告</translation>
    </message>
    <message>
        <source>SAE report</source>
        <translation>SAE 报告</translation>
    </message>
    <message>
        <source>Query report</source>
        <translation>质疑报告</translation>
    </message>
    <message>
        <source>SDV report</source>
        <translation>SDV 报告</translation>
    </message>
    <message>
        <source>The study&apos;s forms to fill in by hand: sections, items, units, tick boxes.</source>
        <translation>供手工填写的研究表单：章节、条目、单位和勾选框。</translation>
    </message>
    <message>
        <source>The blank CRF annotated with item OIDs, data types, codes, ranges and checks.</source>
        <translation>标注了条目 OID、数据类型、编码、范围和核查规则的空白病例报告表。</translation>
    </message>
    <message>
        <source>A subject&apos;s forms with their values, queries, SDV, signatures and audit trail.</source>
        <translation>受试者的全部表单及其数据、质疑、SDV、签名和稽查轨迹。</translation>
    </message>
    <message>
        <source>A serious adverse event laid out after the CIOMS I form, initial or follow-up.</source>
        <translation>按 CIOMS I 表格式填写的严重不良事件报告（首次或随访报告）。</translation>
    </message>
    <message>
        <source>The queries of the site or of one subject, with their threads.</source>
        <translation>本中心或单个受试者的质疑及其往来记录。</translation>
    </message>
    <message>
        <source>Source data verification of the site or of one subject, by form.</source>
        <translation>本中心或单个受试者按表单列出的源数据核查情况。</translation>
    </message>
    <message>
        <source>SAE report, initial</source>
        <translation>SAE 报告（首次）</translation>
    </message>
    <message>
        <source>SAE report, follow-up {number}</source>
        <translation>SAE 报告（第 {number} 次随访）</translation>
    </message>
    <message>
        <source>whole site</source>
        <translation>整个中心</translation>
    </message>
    <message>
        <source>{subject}, AE {occurrence}</source>
        <translation>{subject}，AE {occurrence}</translation>
    </message>
    <message>
        <source>Laying out page {page}…</source>
        <translation>正在排版第 {page} 页…</translation>
    </message>
    <message>
        <source>Done.</source>
        <translation>完成。</translation>
    </message>
    <message>
        <source>Printing the casebook of {subject} ({index} of {count})…</source>
        <translation>正在打印 {subject} 的病例报告（第 {index} 份，共 {count} 份）…</translation>
    </message>
    <message>
        <source>Wrote {count} casebooks into {folder}:</source>
        <translation>已将 {count} 份病例报告写入 {folder}：</translation>
    </message>
    <message>
        <source>Wrote {file}: {pages} pages, content hash {hash}.</source>
        <translation>已写入 {file}：共 {pages} 页，内容哈希 {hash}。</translation>
    </message>
    <message>
        <source>Wrote {file}: {pages} pages.</source>
        <translation>已写入 {file}：共 {pages} 页。</translation>
    </message>
    <message>
        <source>The file holds clinical data: keep it as safely as the paper record. Its issue is recorded in the audit trail.</source>
        <translation>该文件包含临床数据：请像保管纸质记录一样妥善保管。本次出具已记入稽查轨迹。</translation>
    </message>
    <message>
        <source>Cancelled: {done} of {total} casebooks were finished and are kept in {folder}; the one being printed was not written.</source>
        <translation>已取消：{total} 份病例报告中已完成的 {done} 份保留在 {folder} 中；正在打印的那一份未写入。</translation>
    </message>
    <message>
        <source>Cancelled: no file was written.</source>
        <translation>已取消：未写入任何文件。</translation>
    </message>
    <message>
        <source>{document} of {about}, issued {when} by {user} ({file}, {pages} pages)</source>
        <translation>{about} 的{document}，由 {user} 于 {when} 出具（{file}，共 {pages} 页）</translation>
    </message>
    <message>
        <source>{issued}: the record is unchanged since it was printed.</source>
        <translation>{issued}：打印后记录未发生变化。</translation>
    </message>
    <message>
        <source>{issued}: the record has changed since it was printed; its content hash is {hash} today.</source>
        <translation>{issued}：打印后记录已发生变化；其当前内容哈希为 {hash}。</translation>
    </message>
    <message>
        <source>{issued}: this document cannot be checked against today&apos;s record.</source>
        <translation>{issued}：此文件无法与当前记录进行比对。</translation>
    </message>
    <message>
        <source>No document issued at this installation has a content hash starting with {hash}. Check the digits, or the copy was printed elsewhere.</source>
        <translation>本安装中出具的文件中没有内容哈希以 {hash} 开头的。请核对数字，或该副本是在其他地方打印的。</translation>
    </message>
    <message>
        <source>PDF documents (*.pdf)</source>
        <extracomment>tones of a message: (background, text) asks for a file: (parent, caption, suggested path) → the chosen path, or None</extracomment>
        <translation>PDF 文件 (*.pdf)</translation>
    </message>
</context>
<context>
    <name>ReportsView</name>
    <message>
        <source>Printed documents</source>
        <extracomment>the item role holding a kind&apos;s one-line description asks for the PDF file to write (tests answer without a dialog) asks for the folder of a batch of casebooks opens a file or folder in the desktop&apos;s viewer</extracomment>
        <translation>打印文件</translation>
    </message>
    <message>
        <source>Document</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Create PDF…</source>
        <translation>生成 PDF…</translation>
    </message>
    <message>
        <source>Language of the document:</source>
        <translation>文件语言：</translation>
    </message>
    <message>
        <source>All forms of the study</source>
        <translation>本研究的全部表单</translation>
    </message>
    <message>
        <source>One form:</source>
        <translation>单个表单：</translation>
    </message>
    <message>
        <source>{title} ({oid})</source>
        <translation>{title}（{oid}）</translation>
    </message>
    <message>
        <source>A CRF holds no clinical data: it is written without an entry in the audit trail.</source>
        <translation>病例报告表不含临床数据：写入时不记入稽查轨迹。</translation>
    </message>
    <message>
        <source>All</source>
        <translation>全选</translation>
    </message>
    <message>
        <source>None</source>
        <translation>全不选</translation>
    </message>
    <message>
        <source>Subjects (tick one or more):</source>
        <translation>受试者（勾选一个或多个）：</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>受试者</translation>
    </message>
    <message>
        <source>AE</source>
        <translation>AE</translation>
    </message>
    <message>
        <source>Term</source>
        <translation>术语</translation>
    </message>
    <message>
        <source>Onset</source>
        <translation>发生日期</translation>
    </message>
    <message>
        <source>Grade</source>
        <translation>分级</translation>
    </message>
    <message>
        <source>Serious adverse events (choose one):</source>
        <translation>严重不良事件（选择一个）：</translation>
    </message>
    <message>
        <source>Whole site</source>
        <translation>整个中心</translation>
    </message>
    <message>
        <source>One subject:</source>
        <translation>单个受试者：</translation>
    </message>
    <message>
        <source>Open queries only</source>
        <translation>仅未关闭的质疑</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Stop at the next page; a document not finished is not written</source>
        <translation>在下一页开始时停止；未完成的文件不会写入</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <source>Open the PDF in the viewer of this computer</source>
        <translation>用本机的阅读器打开该 PDF</translation>
    </message>
    <message>
        <source>Show folder</source>
        <translation>显示文件夹</translation>
    </message>
    <message>
        <source>Show the folder of the PDF in the file manager</source>
        <translation>在文件管理器中显示该 PDF 所在的文件夹</translation>
    </message>
    <message>
        <source>Issued documents</source>
        <translation>已出具的文件</translation>
    </message>
    <message>
        <source>Issued</source>
        <translation>出具时间</translation>
    </message>
    <message>
        <source>By</source>
        <translation>出具人</translation>
    </message>
    <message>
        <source>About</source>
        <translation>涉及</translation>
    </message>
    <message>
        <source>Pages</source>
        <translation>页数</translation>
    </message>
    <message>
        <source>Content hash</source>
        <translation>内容哈希</translation>
    </message>
    <message>
        <source>File</source>
        <translation>文件名</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Read the subjects and the issued documents again (F5)</source>
        <translation>重新读取受试者和已出具的文件（F5）</translation>
    </message>
    <message>
        <source>the content hash printed on the copy (at least 8 digits)</source>
        <translation>副本上印的内容哈希（至少 8 位）</translation>
    </message>
    <message>
        <source>Match</source>
        <translation>比对</translation>
    </message>
    <message>
        <source>Find the issued document and say whether its record changed since</source>
        <translation>查找已出具的文件，并说明其记录此后是否有变化</translation>
    </message>
    <message>
        <source>Match a printed copy:</source>
        <translation>比对打印副本：</translation>
    </message>
    <message>
        <source>Reading…</source>
        <translation>正在读取…</translation>
    </message>
    <message>
        <source>AE {occurrence}</source>
        <translation>AE {occurrence}</translation>
    </message>
    <message>
        <source>No serious adverse event is recorded at this site.</source>
        <translation>本中心尚未记录严重不良事件。</translation>
    </message>
    <message>
        <source>A report whose content differs from the last one issued is the next follow-up report; printing the same content again keeps its number.</source>
        <translation>内容与上次出具不同的报告为下一次随访报告；内容相同再次打印则沿用原编号。</translation>
    </message>
    <message>
        <source>Documents with clinical data written at this installation, newest first (from the audit trail). Blank CRFs are not recorded.</source>
        <translation>本安装中写出的含临床数据的文件，最新的在前（来自稽查轨迹）。空白病例报告表不记录。</translation>
    </message>
    <message>
        <source>No document with clinical data was issued at this installation yet.</source>
        <translation>本安装尚未出具含临床数据的文件。</translation>
    </message>
    <message>
        <source>Tick the subjects whose casebooks to print.</source>
        <translation>请勾选要打印病例报告的受试者。</translation>
    </message>
    <message>
        <source>One subject ticked: one PDF file, whose name you choose.</source>
        <translation>已勾选 1 名受试者：生成一个 PDF 文件，文件名由您选择。</translation>
    </message>
    <message>
        <source>{count} subjects ticked: one PDF file per subject, into a folder you choose.</source>
        <translation>已勾选 {count} 名受试者：每名受试者一个 PDF 文件，保存到您选择的文件夹。</translation>
    </message>
    <message>
        <source>A document is being printed.</source>
        <translation>正在打印文件。</translation>
    </message>
    <message>
        <source>Tick at least one subject.</source>
        <translation>请至少勾选一名受试者。</translation>
    </message>
    <message>
        <source>Choose a serious adverse event in the table.</source>
        <translation>请在表中选择一个严重不良事件。</translation>
    </message>
    <message>
        <source>Choose the subject.</source>
        <translation>请选择受试者。</translation>
    </message>
    <message>
        <source>Choose the form.</source>
        <translation>请选择表单。</translation>
    </message>
    <message>
        <source>Folder for the casebooks</source>
        <translation>病例报告的保存文件夹</translation>
    </message>
    <message>
        <source>Save the PDF as</source>
        <translation>将 PDF 另存为</translation>
    </message>
    <message>
        <source>Printing the {document}…</source>
        <translation>正在打印{document}…</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
</context>
<context>
    <name>Roles</name>
    <message>
        <source>research nurse (CRC)</source>
        <translation>研究护士（CRC）</translation>
    </message>
    <message>
        <source>investigator</source>
        <translation>研究者</translation>
    </message>
    <message>
        <source>monitor</source>
        <translation>监查员</translation>
    </message>
    <message>
        <source>site administrator</source>
        <translation>中心管理员</translation>
    </message>
</context>
<context>
    <name>SdvBox</name>
    <message>
        <source>SDV</source>
        <translation>SDV</translation>
    </message>
    <message>
        <source>SDV, whole table</source>
        <translation>SDV（整表）</translation>
    </message>
    <message>
        <source>Source verified by {user} on {when}.</source>
        <translation>已由 {user} 于 {when} 完成源数据核查。</translation>
    </message>
    <message>
        <source>Untick to take the verification back (with a reason).</source>
        <translation>取消勾选可撤销核查（需填写原因）。</translation>
    </message>
    <message>
        <source>Source data verification pending.</source>
        <translation>源数据待核查。</translation>
    </message>
    <message>
        <source>Source data verification pending: the value changed after it was verified.</source>
        <translation>源数据待核查：该数值在核查后已被修改。</translation>
    </message>
    <message>
        <source>Tick once the value is checked against the source (Ctrl+Shift+V).</source>
        <translation>数值与原始文件核对无误后请勾选（Ctrl+Shift+V）。</translation>
    </message>
    <message>
        <source>{verified} of {total} values verified.</source>
        <translation>已核查 {verified}/{total} 个数据点。</translation>
    </message>
    <message>
        <source>Untick to take back the verification of the whole table (with a reason).</source>
        <translation>取消勾选可撤销整个表格的核查（需填写原因）。</translation>
    </message>
    <message>
        <source>Tick to verify every pending value of the table.</source>
        <translation>勾选以核查表格中所有待核查的数据点。</translation>
    </message>
</context>
<context>
    <name>Settings</name>
    <message>
        <source>Failed logins before an account locks</source>
        <extracomment>the site settings as the administrator reads them (translated when shown)</extracomment>
        <translation>账户锁定前允许的登录失败次数</translation>
    </message>
    <message>
        <source>Lockout after failed logins (minutes)</source>
        <translation>登录失败后的锁定时长（分钟）</translation>
    </message>
    <message>
        <source>Lock the screen after idle minutes</source>
        <translation>无操作多少分钟后锁屏</translation>
    </message>
    <message>
        <source>Shortest password (characters)</source>
        <translation>密码最短长度（字符）</translation>
    </message>
    <message>
        <source>Backups kept of each kind</source>
        <translation>每类备份保留份数</translation>
    </message>
    <message>
        <source>Warn when nothing was sent to the coordinating center for (days)</source>
        <translation>多少天未向协调中心发送数据时发出警告（天）</translation>
    </message>
</context>
<context>
    <name>Shell</name>
    <message>
        <source>The backup {name} was restored. Every session has ended: log in again.</source>
        <translation>备份 {name} 已还原。所有会话均已结束，请重新登录。</translation>
    </message>
    <message>
        <source>These subjects were entered after that backup and are not in it; enter them again from the source documents: {subjects}</source>
        <translation>以下受试者是在该备份之后录入的，不在备份中，请根据原始资料重新录入：{subjects}</translation>
    </message>
    <message>
        <source>Something unexpected went wrong ({kind}). The details are in the site&apos;s log.</source>
        <translation>发生了意外错误（{kind}）。详细信息见本中心的日志。</translation>
    </message>
    <message>
        <source>The password is too short: at least {count} characters.</source>
        <translation>密码太短：至少需要 {count} 个字符。</translation>
    </message>
    <message>
        <source>The password may not be the user name.</source>
        <translation>密码不能与用户名相同。</translation>
    </message>
    <message>
        <source>The password may not begin or end with a space.</source>
        <translation>密码不能以空格开头或结尾。</translation>
    </message>
    <message>
        <source>The account &apos;{user}&apos; is locked after {count} failed logins; try again in {minutes} minute(s).
Or ask the site administrator to unlock it.</source>
        <translation>账户“{user}”在 {count} 次登录失败后已被锁定，请在 {minutes} 分钟后重试。
或请中心管理员解锁。</translation>
    </message>
    <message>
        <source>Wrong user name or password.</source>
        <translation>用户名或密码错误。</translation>
    </message>
</context>
<context>
    <name>SignDialog</name>
    <message>
        <source>Electronic signature</source>
        <extracomment>what a signing act is given: (meaning code, user ID or None, password) → its result</extracomment>
        <translation>电子签名</translation>
    </message>
    <message>
        <source>Signed by {name} ({user})</source>
        <extracomment>the user ID is asked for on the first signature of the session only what the signing act returned (when :meth:`sign_with` was used) True when wrong credentials locked the account and ended the session</extracomment>
        <translation>签名人：{name}（{user}）</translation>
    </message>
    <message>
        <source>(choose the meaning of your signature)</source>
        <translation>（请选择签名含义）</translation>
    </message>
    <message>
        <source>Your user ID</source>
        <translation>您的用户ID</translation>
    </message>
    <message>
        <source>Your password</source>
        <translation>您的密码</translation>
    </message>
    <message>
        <source>This is your first signature since you logged in (or unlocked the screen): enter your user ID and your password.</source>
        <translation>这是您本次登录（或解锁屏幕）后的首次签名：请输入您的用户ID和密码。</translation>
    </message>
    <message>
        <source>You have already signed in this session: enter your password to sign.</source>
        <translation>您在本次会话中已签过名：请输入密码进行签名。</translation>
    </message>
    <message>
        <source>Meaning</source>
        <translation>签名含义</translation>
    </message>
    <message>
        <source>User ID</source>
        <translation>用户ID</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>By signing I confirm that this electronic signature is the legally binding equivalent of my handwritten signature, and that I sign with the meaning chosen above. My name, the date and time (UTC) and the meaning are recorded with the signed records.</source>
        <translation>本人签名即确认：本电子签名与本人手写签名具有同等法律约束力，且本人以上方所选的签名含义进行签名。本人的姓名、签名日期和时间（UTC）以及签名含义将与所签署的记录一并保存。</translation>
    </message>
    <message>
        <source>Checking the signature…</source>
        <translation>正在验证签名…</translation>
    </message>
    <message>
        <source>Sign</source>
        <translation>签名</translation>
    </message>
</context>
<context>
    <name>SitePage</name>
    <message>
        <source>The site</source>
        <translation>中心</translation>
    </message>
    <message>
        <source>This computer keeps the data of one site of one study, encrypted.</source>
        <translation>这台电脑以加密方式保存一项研究中一个中心的数据。</translation>
    </message>
    <message>
        <source>Site ID</source>
        <translation>中心编号</translation>
    </message>
    <message>
        <source>Study</source>
        <translation>研究</translation>
    </message>
    <message>
        <source>Installation number</source>
        <translation>安装编号</translation>
    </message>
    <message>
        <source>e.g. S01</source>
        <translation>例如 S01</translation>
    </message>
    <message>
        <source>The site ID is given by the coordinating center (2–10 capital letters or digits). Number the computers of one site 1, 2, 3…: subject numbers include the installation number, so two computers never give out the same one.</source>
        <translation>中心编号由协调中心分配（2–10 个大写字母或数字）。同一中心的电脑依次编号 1、2、3…：受试者编号包含安装编号，因此两台电脑不会分配相同的受试者编号。</translation>
    </message>
    <message>
        <source>&apos;{site}&apos; is not a valid site ID: 2–10 capital letters or digits (e.g. S01).</source>
        <translation>“{site}”不是有效的中心编号：应为 2–10 个大写字母或数字（例如 S01）。</translation>
    </message>
    <message>
        <source>There is no study definition to choose.</source>
        <translation>没有可选择的研究定义。</translation>
    </message>
</context>
<context>
    <name>SiteWizard</name>
    <message>
        <source>npc-crf — set up this computer</source>
        <translation>npc-crf — 设置这台电脑</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>下一步</translation>
    </message>
    <message>
        <source>The recovery key</source>
        <translation>恢复密钥</translation>
    </message>
    <message>
        <source>The site has been created. Store the recovery key and tick the box before you close this window: it is not shown again.</source>
        <translation>中心已创建。关闭此窗口前，请保存恢复密钥并勾选确认框：它不会再次显示。</translation>
    </message>
</context>
<context>
    <name>StatusBar</name>
    <message>
        <source>User: {name}</source>
        <translation>用户：{name}</translation>
    </message>
    <message>
        <source>Role: {role}</source>
        <translation>角色：{role}</translation>
    </message>
    <message>
        <source>Site: {site}</source>
        <translation>中心：{site}</translation>
    </message>
    <message>
        <source>Installation: {number}</source>
        <translation>安装编号：{number}</translation>
    </message>
    <message>
        <source>never</source>
        <translation>从未</translation>
    </message>
    <message>
        <source>Acknowledged up to: {when}</source>
        <translation>已确认至：{when}</translation>
    </message>
    <message>
        <source>The coordinating center has every change made up to this time (it acknowledged them in a return bundle).</source>
        <translation>协调中心已拥有截至此时间的所有更改（已在返回数据包中确认）。</translation>
    </message>
    <message>
        <source>Not acknowledged: {count}</source>
        <translation>未获确认：{count}</translation>
    </message>
    <message>
        <source>Changes the coordinating center has not acknowledged yet. Exported or sent is not enough: they count until a return bundle acknowledges them.</source>
        <translation>协调中心尚未确认的更改。仅导出或发送还不够：在返回数据包确认之前都会计入。</translation>
    </message>
    <message>
        <source>Nothing acknowledged by the coordinating center yet</source>
        <translation>协调中心尚未确认任何数据</translation>
    </message>
    <message>
        <source>Nothing acknowledged by the coordinating center for {days} days</source>
        <translation>协调中心已 {days} 天未确认任何数据</translation>
    </message>
</context>
<context>
    <name>StatusChangeDialog</name>
    <message>
        <source>Change the status of {subject}</source>
        <extracomment>the freezes and locks that apply to the subject (the site&apos;s, its own, its forms&apos;) the forms&apos; SDV progress (read for roles that verify, else empty) the forms waiting for a signature (read for investigators, else empty) the valid signatures of the casebook (§11.50: shown with the signed records) what a hold action does: (permission, level, release?) the strip under a column title; upcoming visits get a neutral one</extracomment>
        <translation>更改受试者 {subject} 的状态</translation>
    </message>
    <message>
        <source>{subject}: {old} → {new}</source>
        <translation>{subject}：{old} → {new}</translation>
    </message>
    <message>
        <source>Required</source>
        <translation>必填</translation>
    </message>
    <message>
        <source>Optional</source>
        <translation>选填</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
</context>
<context>
    <name>SubjectStatus</name>
    <message>
        <source>Screening</source>
        <translation>筛选中</translation>
    </message>
    <message>
        <source>Screen failure</source>
        <translation>筛选失败</translation>
    </message>
    <message>
        <source>Enrolled</source>
        <translation>已入组</translation>
    </message>
    <message>
        <source>On treatment</source>
        <translation>治疗中</translation>
    </message>
    <message>
        <source>Follow-up</source>
        <translation>随访中</translation>
    </message>
    <message>
        <source>Off study</source>
        <translation>退出研究</translation>
    </message>
    <message>
        <source>Died</source>
        <translation>死亡</translation>
    </message>
    <message>
        <source>Back to screening…</source>
        <translation>退回筛选…</translation>
    </message>
    <message>
        <source>Record screen failure…</source>
        <translation>记录筛选失败…</translation>
    </message>
    <message>
        <source>Enrol…</source>
        <translation>入组…</translation>
    </message>
    <message>
        <source>Start treatment…</source>
        <translation>开始治疗…</translation>
    </message>
    <message>
        <source>Move to follow-up…</source>
        <translation>转入随访…</translation>
    </message>
    <message>
        <source>Take off study…</source>
        <translation>退出研究…</translation>
    </message>
    <message>
        <source>Record death…</source>
        <translation>记录死亡…</translation>
    </message>
</context>
<context>
    <name>SubjectTable</name>
    <message>
        <source>Subject</source>
        <extracomment>the SDV count of a subject with values still pending</extracomment>
        <translation>受试者</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Enrolled on</source>
        <translation>入组日期</translation>
    </message>
    <message>
        <source>Cycle</source>
        <translation>周期</translation>
    </message>
    <message>
        <source>Next visit due (window)</source>
        <translation>下次访视（访视窗）</translation>
    </message>
    <message>
        <source>Open queries</source>
        <translation>未关闭质疑</translation>
    </message>
    <message>
        <source>SAE</source>
        <extracomment>subject ID → SDV progress; None until it was read</extracomment>
        <translation>SAE</translation>
    </message>
    <message>
        <source>Frozen / locked</source>
        <translation>冻结/锁定</translation>
    </message>
    <message>
        <source>SDV (verified / required)</source>
        <translation>SDV（已核查/需核查）</translation>
    </message>
    <message>
        <source>{verified} of {required} values verified; {done} of {forms} forms done</source>
        <translation>已核查 {verified}/{required} 个数据点；{done}/{forms} 份表单已完成核查</translation>
    </message>
</context>
<context>
    <name>SubjectsView</name>
    <message>
        <source>Filter by subject ID or status</source>
        <extracomment>emitted after the table was (re)filled emitted after the SDV progress was filled in (monitors)</extracomment>
        <translation>按受试者编号或状态筛选</translation>
    </message>
    <message>
        <source>All statuses</source>
        <translation>全部状态</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Screen new subject</source>
        <translation>筛选新受试者</translation>
    </message>
    <message>
        <source>Needs SDV</source>
        <extracomment>the SDV column and filter are for the roles that verify</extracomment>
        <translation>待 SDV</translation>
    </message>
    <message>
        <source>Only subjects with values waiting for SDV</source>
        <translation>仅显示有待 SDV 数据的受试者</translation>
    </message>
    <message>
        <source>Loading subjects…</source>
        <translation>正在载入受试者…</translation>
    </message>
    <message>
        <source>Counting the values verified…</source>
        <translation>正在统计已核查的数据点…</translation>
    </message>
    <message>
        <source>Registering a new subject…</source>
        <translation>正在登记新受试者…</translation>
    </message>
    <message>
        <source>{shown} of {total} subjects</source>
        <translation>共 {total} 名受试者，显示 {shown} 名</translation>
    </message>
</context>
<context>
    <name>SyncDialogs</name>
    <message>
        <source>The coordinating center&apos;s identity card</source>
        <translation>协调中心的身份卡</translation>
    </message>
    <message>
        <source>Identity cards (*.json);;All files (*)</source>
        <translation>身份卡 (*.json);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Save this installation&apos;s identity card</source>
        <translation>保存本机的身份卡</translation>
    </message>
    <message>
        <source>Identity cards (*.json)</source>
        <translation>身份卡 (*.json)</translation>
    </message>
    <message>
        <source>Send bundles to a folder or USB drive</source>
        <translation>将数据包发送到文件夹或U盘</translation>
    </message>
    <message>
        <source>Apply return bundles from the center</source>
        <translation>应用协调中心的返回数据包</translation>
    </message>
    <message>
        <source>Return bundles (*.npcr);;All files (*)</source>
        <translation>返回数据包 (*.npcr);;所有文件 (*)</translation>
    </message>
</context>
<context>
    <name>SyncProgress</name>
    <message>
        <source>Reading the changes…</source>
        <extracomment>tones of the summary and of a result message: (background, text) the export&apos;s steps as the service names them, in words (context ``SyncProgress``)</extracomment>
        <translation>正在读取更改…</translation>
    </message>
    <message>
        <source>Signing and encrypting…</source>
        <translation>正在签名和加密…</translation>
    </message>
    <message>
        <source>Writing the bundle file…</source>
        <translation>正在写入数据包文件…</translation>
    </message>
    <message>
        <source>Recording the bundle…</source>
        <translation>正在记录数据包…</translation>
    </message>
    <message>
        <source>Done.</source>
        <translation>完成。</translation>
    </message>
    <message>
        <source>Copying {file} and checking the copy…</source>
        <translation>正在复制 {file} 并核对副本…</translation>
    </message>
    <message>
        <source>Uploading bundle {sequence} ({index} of {count})…</source>
        <translation>正在上传数据包 {sequence}（第 {index} 个，共 {count} 个）…</translation>
    </message>
    <message>
        <source>Applying {file} ({index} of {count})…</source>
        <translation>正在应用 {file}（第 {index} 个，共 {count} 个）…</translation>
    </message>
    <message>
        <source>Connecting to the center…</source>
        <translation>正在连接协调中心…</translation>
    </message>
    <message>
        <source>Fetching the center&apos;s return bundle…</source>
        <translation>正在获取协调中心的返回数据包…</translation>
    </message>
</context>
<context>
    <name>SyncTexts</name>
    <message>
        <source>imported by the center</source>
        <extracomment>the center&apos;s answers to an upload, in words (context ``SyncTexts``)</extracomment>
        <translation>协调中心已导入</translation>
    </message>
    <message>
        <source>the center already had it</source>
        <translation>协调中心此前已收到</translation>
    </message>
    <message>
        <source>held by the center until an earlier bundle arrives</source>
        <translation>协调中心暂存，等待更早的数据包到达</translation>
    </message>
    <message>
        <source>Reading the sync status…</source>
        <translation>正在读取同步状态…</translation>
    </message>
    <message>
        <source>Not synchronised: no coordinating center is trusted yet, so nothing can be exported.</source>
        <translation>未同步：尚未信任任何协调中心，因此无法导出。</translation>
    </message>
    <message>
        <source>Everything up to {time} is acknowledged by the center.</source>
        <translation>截至 {time} 的所有数据均已获协调中心确认。</translation>
    </message>
    <message>
        <source>Nothing to synchronise yet: no clinical data have been entered.</source>
        <translation>暂无需同步：尚未录入任何临床数据。</translation>
    </message>
    <message>
        <source>Not synchronised — changes not yet acknowledged by the center: {count}. Export the new changes, then send or upload the bundle.</source>
        <translation>未同步 — 协调中心尚未确认的更改：{count} 条。请导出新更改，然后发送或上传数据包。</translation>
    </message>
    <message>
        <source>Not synchronised — changes not yet acknowledged by the center: {count}. They are exported: send the bundles on a USB drive or upload them.</source>
        <translation>未同步 — 协调中心尚未确认的更改：{count} 条。这些更改已导出：请用U盘发送或上传数据包。</translation>
    </message>
    <message>
        <source>Not synchronised — changes not yet acknowledged by the center: {count}. The center holds a bundle until an earlier one arrives: send every bundle not acknowledged again.</source>
        <translation>未同步 — 协调中心尚未确认的更改：{count} 条。协调中心正暂存一个数据包，等待更早的数据包到达：请重新发送所有未确认的数据包。</translation>
    </message>
    <message>
        <source>Not synchronised — changes not yet acknowledged by the center: {count}. The bundles were sent; apply the center&apos;s return bundle when it arrives.</source>
        <translation>未同步 — 协调中心尚未确认的更改：{count} 条。数据包已发送；收到协调中心的返回数据包后请应用它。</translation>
    </message>
    <message>
        <source>Bundle {sequence} was made (full, {size}). It is in the outbox: send it on a USB drive or upload it. Nothing is synchronised until the center acknowledges it.</source>
        <translation>已生成数据包 {sequence}（完整，{size}）。它在发件箱中：请用U盘发送或上传。在协调中心确认之前，数据均不算已同步。</translation>
    </message>
    <message>
        <source>Bundle {sequence} was made (new changes, {size}). It is in the outbox: send it on a USB drive or upload it. Nothing is synchronised until the center acknowledges it.</source>
        <translation>已生成数据包 {sequence}（新更改，{size}）。它在发件箱中：请用U盘发送或上传。在协调中心确认之前，数据均不算已同步。</translation>
    </message>
    <message>
        <source>Nothing was sent: every bundle is acknowledged by the center.</source>
        <translation>未发送任何内容：所有数据包均已获协调中心确认。</translation>
    </message>
    <message>
        <source>Bundles copied to {folder} and checked there: {numbers}.</source>
        <translation>已复制到 {folder} 并核对的数据包：{numbers}。</translation>
    </message>
    <message>
        <source>Already in {folder} with the same content: {numbers}.</source>
        <translation>{folder} 中已有内容相同的数据包：{numbers}。</translation>
    </message>
    <message>
        <source>Take them to the coordinating center. They count as synchronised only once the center&apos;s return bundle acknowledges them.</source>
        <translation>请将它们送交协调中心。只有协调中心的返回数据包确认后，它们才算已同步。</translation>
    </message>
    <message>
        <source>{file} was refused by the &quot;{check}&quot; check: {detail}. Nothing was applied.</source>
        <translation>{file} 未通过“{check}”检查而被拒绝：{detail}。未应用任何内容。</translation>
    </message>
    <message>
        <source>Bundle {sequence} was refused by the center (&quot;{check}&quot; check): {detail}.</source>
        <translation>数据包 {sequence} 被协调中心拒绝（“{check}”检查）：{detail}。</translation>
    </message>
    <message>
        <source>{file}: already applied; nothing changed.</source>
        <translation>{file}：此前已应用；没有任何更改。</translation>
    </message>
    <message>
        <source>{file}: return bundle {sequence} of the center applied.</source>
        <translation>{file}：已应用协调中心的返回数据包 {sequence}。</translation>
    </message>
    <message>
        <source>Bundles acknowledged by the center: {numbers}.</source>
        <translation>协调中心已确认的数据包：{numbers}。</translation>
    </message>
    <message>
        <source>Bundles held by the center until an earlier one arrives: {numbers}.</source>
        <translation>协调中心暂存、等待更早数据包到达的数据包：{numbers}。</translation>
    </message>
    <message>
        <source>No bundle changed its status.</source>
        <translation>没有数据包的状态发生变化。</translation>
    </message>
    <message>
        <source>Queries from the center: {queries} new, {messages} new messages.</source>
        <translation>来自协调中心的质疑：新质疑 {queries} 条，新消息 {messages} 条。</translation>
    </message>
    <message>
        <source>Acknowledgements of bundles this outbox does not have were ignored: {count}.</source>
        <translation>已忽略发件箱中不存在的数据包的确认：{count} 条。</translation>
    </message>
    <message>
        <source>A new study definition (version {version}) was received. It is stored, not yet in use.</source>
        <translation>已收到新的研究定义（版本 {version}）。它已保存，尚未启用。</translation>
    </message>
    <message>
        <source>{file}: {problem}</source>
        <translation>{file}：{problem}</translation>
    </message>
    <message>
        <source>Stopped: the other files were not applied.</source>
        <translation>已停止：其余文件未应用。</translation>
    </message>
    <message>
        <source>Bundle {sequence}: {answer}.</source>
        <translation>数据包 {sequence}：{answer}。</translation>
    </message>
    <message>
        <source>No connection to the center; the bundles stay in the outbox. Try again later, or send them on a USB drive.</source>
        <translation>无法连接协调中心；数据包仍保留在发件箱中。请稍后再试，或用U盘发送。</translation>
    </message>
    <message>
        <source>The center had no return bundle for this installation yet; the statuses change once one is applied.</source>
        <translation>协调中心暂时没有给本机的返回数据包；应用返回数据包后状态才会改变。</translation>
    </message>
    <message>
        <source>Nothing to upload: every bundle is acknowledged by the center.</source>
        <translation>无需上传：所有数据包均已获协调中心确认。</translation>
    </message>
    <message>
        <source>Center {center} is already the trusted center; nothing changed.</source>
        <translation>协调中心 {center} 已是受信任的协调中心；没有任何更改。</translation>
    </message>
    <message>
        <source>Center {center} is trusted now (fingerprint {fingerprint}). Bundles are encrypted for it from now on.</source>
        <translation>现已信任协调中心 {center}（指纹 {fingerprint}）。此后数据包将为其加密。</translation>
    </message>
    <message>
        <source>It replaces center {old}: the next bundle goes to the new center, starting again at number 1 with a full bundle.</source>
        <translation>它取代了协调中心 {old}：下一个数据包将发往新的协调中心，从编号 1 的完整数据包重新开始。</translation>
    </message>
</context>
<context>
    <name>SyncView</name>
    <message>
        <source>Sync with the coordinating center</source>
        <translation>与协调中心同步</translation>
    </message>
    <message>
        <source>Coordinating center</source>
        <translation>协调中心</translation>
    </message>
    <message>
        <source>This installation</source>
        <translation>本机</translation>
    </message>
    <message>
        <source>Site {site} · installation {number}</source>
        <translation>中心 {site} · 安装编号 {number}</translation>
    </message>
    <message>
        <source>Read this fingerprint out to the center on the phone when it registers this installation&apos;s identity card.</source>
        <translation>协调中心登记本机身份卡时，请在电话中向其读出此指纹。</translation>
    </message>
    <message>
        <source>Save identity card…</source>
        <translation>保存身份卡…</translation>
    </message>
    <message>
        <source>This installation&apos;s public keys, for the center to register (no data)</source>
        <translation>本机的公钥，供协调中心登记（不含数据）</translation>
    </message>
    <message>
        <source>Export new changes</source>
        <translation>导出新更改</translation>
    </message>
    <message>
        <source>Export everything (full)…</source>
        <translation>导出全部（完整）…</translation>
    </message>
    <message>
        <source>Send to folder / USB drive…</source>
        <translation>发送到文件夹 / U盘…</translation>
    </message>
    <message>
        <source>Send the selected bundles…</source>
        <translation>发送所选数据包…</translation>
    </message>
    <message>
        <source>Upload to the center…</source>
        <translation>上传至协调中心…</translation>
    </message>
    <message>
        <source>Apply a return bundle…</source>
        <translation>应用返回数据包…</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Read the sync status again (F5)</source>
        <translation>重新读取同步状态（F5）</translation>
    </message>
    <message>
        <source>You can read the sync status; a research nurse, an investigator or the site administrator exports and sends the bundles.</source>
        <translation>您可以查看同步状态；数据包由研究护士、研究者或中心管理员导出和发送。</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Stop at the next safe point; nothing is left half-done</source>
        <translation>在下一个安全点停止；不会留下未完成的操作</translation>
    </message>
    <message>
        <source>The outbox is empty: no bundle was exported yet.</source>
        <translation>发件箱为空：尚未导出任何数据包。</translation>
    </message>
    <message>
        <source>Outbox (newest first)</source>
        <translation>发件箱（最新的在前）</translation>
    </message>
    <message>
        <source>Open the outbox folder</source>
        <translation>打开发件箱文件夹</translation>
    </message>
    <message>
        <source>No coordinating center trusted yet.</source>
        <translation>尚未信任任何协调中心。</translation>
    </message>
    <message>
        <source>Trust the center…</source>
        <translation>信任协调中心…</translation>
    </message>
    <message>
        <source>The site administrator trusts the center once: with its identity card and the fingerprint the center reads out on the phone.</source>
        <translation>由中心管理员一次性完成对协调中心的信任：使用其身份卡以及协调中心在电话中读出的指纹。</translation>
    </message>
    <message>
        <source>You need the center&apos;s identity card (a file) and a phone call with the center to compare the fingerprint.</source>
        <translation>您需要协调中心的身份卡（一个文件），并与协调中心通电话核对指纹。</translation>
    </message>
    <message>
        <source>Center {center}, trusted {when} by {user}. Its fingerprint:</source>
        <translation>协调中心 {center}，由 {user} 于 {when} 设为信任。其指纹：</translation>
    </message>
    <message>
        <source>Trust another center…</source>
        <translation>信任其他协调中心…</translation>
    </message>
    <message>
        <source>Only the site administrator can trust another coordinating center.</source>
        <translation>只有中心管理员可以信任其他协调中心。</translation>
    </message>
    <message>
        <source>Changes not yet exported: {count}</source>
        <translation>尚未导出的更改：{count}</translation>
    </message>
    <message>
        <source>Changes not yet acknowledged by the center: {count}</source>
        <translation>协调中心尚未确认的更改：{count}</translation>
    </message>
    <message>
        <source>Query messages not yet exported: {count}</source>
        <translation>尚未导出的质疑消息：{count}</translation>
    </message>
    <message>
        <source>Last acknowledged: nothing yet — no change is confirmed at the center.</source>
        <translation>最近确认：暂无 — 协调中心尚未确认任何更改。</translation>
    </message>
    <message>
        <source>Last acknowledged: bundle {sequence}, made {made}, acknowledged {acked}.</source>
        <translation>最近确认：数据包 {sequence}，生成于 {made}，确认于 {acked}。</translation>
    </message>
    <message>
        <source>No return bundle applied yet.</source>
        <translation>尚未应用任何返回数据包。</translation>
    </message>
    <message>
        <source>Last return bundle: number {sequence}, applied {when}.</source>
        <translation>最近的返回数据包：编号 {sequence}，应用于 {when}。</translation>
    </message>
    <message>
        <source>A new study definition was received (version {versions}); it is stored and not yet in use.</source>
        <translation>已收到新的研究定义（版本 {versions}）；已保存，尚未启用。</translation>
    </message>
    <message>
        <source>Your role ({role}) may not export, send or apply bundles; research nurses, investigators and the site administrator can.</source>
        <translation>您的角色（{role}）不能导出、发送或应用数据包；研究护士、研究者和中心管理员可以。</translation>
    </message>
    <message>
        <source>Reading the sync status…</source>
        <translation>正在读取同步状态…</translation>
    </message>
    <message>
        <source>No coordinating center is trusted yet: the site administrator trusts it first.</source>
        <translation>尚未信任任何协调中心：请中心管理员先完成信任。</translation>
    </message>
    <message>
        <source>Make a bundle of the changes since the last one (the first is always full)</source>
        <translation>将上次以来的更改生成数据包（第一个总是完整数据包）</translation>
    </message>
    <message>
        <source>Copy every bundle not acknowledged to a folder or USB drive, checked there</source>
        <translation>将所有未确认的数据包复制到文件夹或U盘并核对</translation>
    </message>
    <message>
        <source>Upload the bundles not acknowledged and fetch the center&apos;s return bundle</source>
        <translation>上传未确认的数据包并获取协调中心的返回数据包</translation>
    </message>
    <message>
        <source>Apply the acknowledgements and queries the center sent (.npcr files)</source>
        <translation>应用协调中心发来的确认和质疑（.npcr 文件）</translation>
    </message>
    <message>
        <source>Choose a bundle to see its file name, UUID and manifest hash.</source>
        <translation>选择一个数据包以查看其文件名、UUID 和清单哈希值。</translation>
    </message>
    <message>
        <source>Bundles selected: {numbers}</source>
        <translation>已选数据包：{numbers}</translation>
    </message>
    <message>
        <source>Bundle {sequence} · {status}</source>
        <translation>数据包 {sequence} · {status}</translation>
    </message>
    <message>
        <source>File: {file}</source>
        <translation>文件：{file}</translation>
    </message>
    <message>
        <source>Bundle UUID: {uid}</source>
        <translation>数据包 UUID：{uid}</translation>
    </message>
    <message>
        <source>Manifest SHA-256: {hash}</source>
        <translation>清单 SHA-256：{hash}</translation>
    </message>
    <message>
        <source>Made by {user}; audit entries {first}–{last}</source>
        <translation>由 {user} 生成；稽查记录 {first}–{last}</translation>
    </message>
    <message>
        <source>Last sent {when} to {folder}</source>
        <translation>最近于 {when} 发送至 {folder}</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <source>The export was cancelled; no bundle was made.</source>
        <translation>导出已取消；未生成数据包。</translation>
    </message>
    <message>
        <source>Sending was stopped. Bundles copied before the stop are in the folder and marked sent.</source>
        <translation>发送已停止。停止前已复制的数据包在文件夹中，并已标记为已发送。</translation>
    </message>
    <message>
        <source>The upload was stopped. The center keeps what arrived; the next upload continues from there.</source>
        <translation>上传已停止。协调中心保留已收到的部分；下次上传将从该处继续。</translation>
    </message>
    <message>
        <source>Stopped before any return bundle was applied.</source>
        <translation>已在应用任何返回数据包之前停止。</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>已取消。</translation>
    </message>
    <message>
        <source>Export everything</source>
        <translation>导出全部</translation>
    </message>
    <message>
        <source>A full bundle carries every value, audit entry and query of this site again. It is needed when a bundle file was lost from the outbox or the center asks for it; otherwise export the new changes. Make a full bundle now?</source>
        <translation>完整数据包会再次包含本中心的所有数值、稽查记录和质疑。仅当发件箱中的数据包文件丢失或协调中心要求时才需要；其他情况下请导出新更改。现在生成完整数据包吗？</translation>
    </message>
    <message>
        <source>Exporting…</source>
        <translation>正在导出…</translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation>正在发送…</translation>
    </message>
    <message>
        <source>Connecting to the center…</source>
        <translation>正在连接协调中心…</translation>
    </message>
    <message>
        <source>Applying return bundles…</source>
        <translation>正在应用返回数据包…</translation>
    </message>
    <message>
        <source>Trusting the center…</source>
        <translation>正在设置信任协调中心…</translation>
    </message>
    <message>
        <source>Writing the identity card…</source>
        <translation>正在写入身份卡…</translation>
    </message>
    <message>
        <source>The identity card was written to {path}. Send it to the coordinating center and read them the fingerprint {fingerprint} on the phone.</source>
        <translation>身份卡已写入 {path}。请将其发送给协调中心，并在电话中向其读出指纹 {fingerprint}。</translation>
    </message>
</context>
<context>
    <name>TermPicking</name>
    <message>
        <source>Browse…</source>
        <extracomment>the key that opens the picker from the term&apos;s field</extracomment>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Find the term by name, MedDRA code or organ class, with its grades (F4)</source>
        <translation>按名称、MedDRA编码或系统器官分类查找术语，并查看其分级（F4）</translation>
    </message>
    <message>
        <source>Type part of the term or its code; F4 to browse</source>
        <translation>输入术语的一部分或其代码；按 F4 浏览</translation>
    </message>
</context>
<context>
    <name>TrackerButton</name>
    <message>
        <source>Tumour response</source>
        <translation>肿瘤疗效</translation>
    </message>
    <message>
        <source>The lesion tracker: measurements and computed responses (Ctrl+R)</source>
        <translation>病灶追踪：测量值及计算所得的疗效（Ctrl+R）</translation>
    </message>
</context>
<context>
    <name>TrustCenterDialog</name>
    <message>
        <source>Trust the coordinating center</source>
        <extracomment>digits of a fingerprint (eight groups of five)</extracomment>
        <translation>信任协调中心</translation>
    </message>
    <message>
        <source>1. Choose the identity card the coordinating center sent (a .json file).
2. Phone the center and ask them to read out their fingerprint.
3. Type the digits you hear. The center is trusted only if they match the card.</source>
        <translation>1. 选择协调中心发来的身份卡（.json 文件）。
2. 给协调中心打电话，请对方读出其指纹。
3. 输入您听到的数字。只有与身份卡一致时才会信任该协调中心。</translation>
    </message>
    <message>
        <source>This site trusts center {center} now. Trusting another center replaces it: bundles then go to the new center, starting again at number 1 with a full bundle, and return bundles of the old center are refused.</source>
        <translation>本中心目前信任协调中心 {center}。信任其他协调中心将取代它：此后数据包发往新的协调中心，从编号 1 的完整数据包重新开始，旧协调中心的返回数据包将被拒绝。</translation>
    </message>
    <message>
        <source>Choose the card file…</source>
        <translation>选择身份卡文件…</translation>
    </message>
    <message>
        <source>No card chosen yet.</source>
        <translation>尚未选择身份卡。</translation>
    </message>
    <message>
        <source>Fingerprint computed from the card&apos;s keys:</source>
        <translation>根据身份卡密钥计算出的指纹：</translation>
    </message>
    <message>
        <source>Trust this center</source>
        <translation>信任此协调中心</translation>
    </message>
    <message>
        <source>Fingerprint read out by the center (spaces optional):</source>
        <translation>协调中心读出的指纹（空格可省略）：</translation>
    </message>
    <message>
        <source>This is the identity card of {who}, not of a coordinating center. Ask the coordinating center for its own card.</source>
        <translation>这是 {who} 的身份卡，不是协调中心的。请向协调中心索取其自己的身份卡。</translation>
    </message>
    <message>
        <source>The card is for study {card}; this site records {site}.</source>
        <translation>该身份卡属于研究 {card}；本中心记录的是 {site}。</translation>
    </message>
    <message>
        <source>Coordinating center {center}, study {study}.</source>
        <translation>协调中心 {center}，研究 {study}。</translation>
    </message>
    <message>
        <source>The fingerprint you typed does not match this card (groups that differ: {groups}). Check it with the center once more; if it still differs, the file is not the one they sent: do not trust it.</source>
        <translation>您输入的指纹与此身份卡不符（不一致的组：{groups}）。请再与协调中心核对一次；如果仍不一致，说明该文件不是对方发送的文件：请不要信任它。</translation>
    </message>
</context>
<context>
    <name>VisitState</name>
    <message>
        <source>done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>overdue</source>
        <translation>超窗</translation>
    </message>
    <message>
        <source>due</source>
        <translation>窗口期内</translation>
    </message>
    <message>
        <source>upcoming</source>
        <translation>即将到来</translation>
    </message>
    <message>
        <source>unplanned</source>
        <translation>未排期</translation>
    </message>
    <message>
        <source>The schedule gives this visit no date.</source>
        <translation>访视计划未给出该访视的日期。</translation>
    </message>
    <message>
        <source>The date it counts from is not entered yet.</source>
        <translation>其起算日期尚未录入。</translation>
    </message>
    <message>
        <source>The date it counts from is a partial date.</source>
        <translation>其起算日期是不完整日期。</translation>
    </message>
    <message>
        <source>A partial date leaves the date it counts from open.</source>
        <translation>不完整日期使其起算日期无法确定。</translation>
    </message>
    <message>
        <source>The first occurrence is dated when it happens.</source>
        <translation>首次访视的日期在发生时确定。</translation>
    </message>
    <message>
        <source>The previous occurrence has no date yet.</source>
        <translation>上一次访视尚无日期。</translation>
    </message>
    <message>
        <source>This occurrence is past the end of the schedule.</source>
        <translation>该次访视已超出访视计划。</translation>
    </message>
</context>
<context>
    <name>VisitTiming</name>
    <message>
        <source>in window</source>
        <translation>在访视窗内</translation>
    </message>
    <message>
        <source>window not decidable (partial date)</source>
        <translation>无法判断是否超窗（不完整日期）</translation>
    </message>
    <message>
        <source>{days} days early</source>
        <translation>提前 {days} 天</translation>
    </message>
    <message>
        <source>{days} days late</source>
        <translation>延后 {days} 天</translation>
    </message>
    <message>
        <source>1 day early</source>
        <translation>提前 1 天</translation>
    </message>
    <message>
        <source>1 day late</source>
        <translation>延后 1 天</translation>
    </message>
</context>
<context>
    <name>WorkKind</name>
    <message>
        <source>Overdue visits</source>
        <translation>超窗访视</translation>
    </message>
    <message>
        <source>Upcoming visits</source>
        <translation>即将到来的访视</translation>
    </message>
    <message>
        <source>Forms not started</source>
        <translation>未开始的表单</translation>
    </message>
    <message>
        <source>Incomplete forms</source>
        <translation>未完成的表单</translation>
    </message>
    <message>
        <source>Open queries</source>
        <translation>未关闭的质疑</translation>
    </message>
    <message>
        <source>Adverse events without outcome</source>
        <translation>无转归的不良事件</translation>
    </message>
    <message>
        <source>SAE reports to send</source>
        <translation>待提交的 SAE 报告</translation>
    </message>
    <message>
        <source>SUSAR reports to send</source>
        <translation>待提交的 SUSAR 报告</translation>
    </message>
    <message>
        <source>SUSAR follow-up reports to send</source>
        <translation>待提交的 SUSAR 随访报告</translation>
    </message>
    <message>
        <source>Adverse events outside the reporting window</source>
        <translation>收集期外的不良事件</translation>
    </message>
    <message>
        <source>Adverse events needing follow-up</source>
        <translation>需要随访的不良事件</translation>
    </message>
    <message>
        <source>Visits done out of window</source>
        <translation>超窗完成的访视</translation>
    </message>
    <message>
        <source>Abnormal lab values without an adverse event</source>
        <translation>无对应不良事件的实验室异常值</translation>
    </message>
    <message>
        <source>Forms to sign</source>
        <translation>待签名的表单</translation>
    </message>
    <message>
        <source>Visit overdue</source>
        <extracomment>what one line of the worklist asks for, translated when asked (one per line)</extracomment>
        <translation>访视已超窗</translation>
    </message>
    <message>
        <source>Visit coming up</source>
        <translation>访视即将到来</translation>
    </message>
    <message>
        <source>Form not started</source>
        <translation>表单未开始</translation>
    </message>
    <message>
        <source>Form incomplete</source>
        <translation>表单未完成</translation>
    </message>
    <message>
        <source>Query to answer</source>
        <translation>待回复的质疑</translation>
    </message>
    <message>
        <source>Outcome of adverse event missing</source>
        <translation>不良事件转归缺失</translation>
    </message>
    <message>
        <source>SAE report to the sponsor</source>
        <translation>向申办方报告 SAE</translation>
    </message>
    <message>
        <source>SUSAR report to the regulator and ethics committee</source>
        <translation>向药品监管部门及伦理委员会报告 SUSAR</translation>
    </message>
    <message>
        <source>SUSAR follow-up report</source>
        <translation>SUSAR 随访报告</translation>
    </message>
    <message>
        <source>Adverse event outside the reporting window</source>
        <translation>不良事件在收集期外</translation>
    </message>
    <message>
        <source>Follow-up of adverse event missing</source>
        <translation>不良事件随访缺失</translation>
    </message>
    <message>
        <source>Visit done out of window</source>
        <translation>访视超窗完成</translation>
    </message>
    <message>
        <source>Abnormal lab value without adverse event</source>
        <translation>实验室异常值无对应不良事件</translation>
    </message>
    <message>
        <source>Form to sign</source>
        <translation>表单待签名</translation>
    </message>
</context>
<context>
    <name>Worklist</name>
    <message>
        <source>Subject</source>
        <extracomment>the order of the worklist&apos;s groups: reports to send first, they run on a clock of days the kinds whose lines are red when past their due date (or not started)</extracomment>
        <translation>受试者</translation>
    </message>
    <message>
        <source>What</source>
        <translation>事项</translation>
    </message>
    <message>
        <source>Where</source>
        <translation>位置</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>应于</translation>
    </message>
    <message>
        <source>Days</source>
        <translation>天数</translation>
    </message>
    <message>
        <source>the date the site became aware is not entered</source>
        <translation>未录入研究中心获知日期</translation>
    </message>
    <message>
        <source>before the first dose: belongs in medical history</source>
        <translation>早于首次给药：应记录于既往病史</translation>
    </message>
    <message>
        <source>after the reporting window</source>
        <translation>在收集期结束后</translation>
    </message>
    <message>
        <source>partial onset date: may be before the first dose</source>
        <translation>开始日期不完整：可能早于首次给药</translation>
    </message>
    <message>
        <source>partial date: may be after the reporting window</source>
        <translation>日期不完整：可能在收集期结束后</translation>
    </message>
    <message>
        <source>no study therapy recorded yet: before the first dose</source>
        <translation>尚无研究治疗记录：视为首次给药前</translation>
    </message>
    <message>
        <source>ongoing and not updated</source>
        <translation>持续中且未更新</translation>
    </message>
    <message>
        <source>ongoing when the reporting window closed</source>
        <translation>收集期结束时仍持续</translation>
    </message>
    <message>
        <source>a partial date leaves the window undecided</source>
        <translation>不完整日期使是否超窗无法确定</translation>
    </message>
    <message>
        <source>grade {grade}; an adverse event with a partial date may cover it</source>
        <translation>{grade} 级；可能已由某个日期不完整的不良事件涵盖</translation>
    </message>
    <message>
        <source>grade {grade}</source>
        <translation>{grade} 级</translation>
    </message>
    <message>
        <source>a change voided the signature: to be signed again</source>
        <translation>修改导致签名作废：需重新签名</translation>
    </message>
    <message>
        <source>1 day outside</source>
        <translation>超出 1 天</translation>
    </message>
    <message>
        <source>{days} days outside</source>
        <translation>超出 {days} 天</translation>
    </message>
    <message>
        <source>{what}: {item}</source>
        <translation>{what}：{item}</translation>
    </message>
    <message>
        <source>{what} — {detail}</source>
        <translation>{what} — {detail}</translation>
    </message>
    <message>
        <source>{kind} ({count})</source>
        <translation>{kind}（{count}）</translation>
    </message>
</context>
<context>
    <name>WorklistView</name>
    <message>
        <source>All kinds of work</source>
        <extracomment>a query line was opened: the query&apos;s uid (the Queries page shows it) emitted after the list was (re)filled</extracomment>
        <translation>全部事项</translation>
    </message>
    <message>
        <source>Filter by subject ID</source>
        <translation>按受试者编号筛选</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Loading the worklist…</source>
        <translation>正在载入工作清单…</translation>
    </message>
</context>
</TS>
