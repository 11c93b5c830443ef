/**
 * The PowerShell text of every operation (pure; the text depends on the operation only, never on a value).
 *
 * Each operation is a wrapper script run by the controller's local PowerShell. The wrapper decodes the
 * arguments from the payload (see encode.ts) and, for node operations, runs
 * `Invoke-Command -Session $global:NetmgrSession -ScriptBlock { param(...) ... } -ArgumentList $NmArgv`:
 * values reach the node as arguments of a `param()` block, serialized by remoting as data
 * (about_Remote_Variables, Invoke-Command -ArgumentList), never as script text.
 *
 * Rules the text follows:
 * - `$ErrorActionPreference = 'Stop'` in the wrapper AND inside the remote block: remote commands use the
 *   remote session's preferences, and a terminating error there becomes non-terminating through
 *   Invoke-Command, so the remote block catches its own errors and returns `{ok:false,error}` as data.
 * - Windows PowerShell 5.1 and pwsh 7 both: no `??`, `?:`, `&&`/`||`, `-Parallel`, `::new()`; New-Object instead.
 * - JSON is produced by a small encoder (ConvertTo-NmJson) instead of ConvertTo-Json, whose output differs
 *   between 5.1 and 7 (depth truncation, dates as `\/Date()\/`, arrays wrapped as `{value,Count}` in 5.1).
 * - Literal paths everywhere (`-LiteralPath`, .NET calls) and exact-name lookups for services and processes,
 *   because `-Name` and `-Path` treat `*`, `?` and `[` as wildcards: a value must stay a value.
 * - The remote block returns one string `NMJSON:<json>`; the wrapper prints one `##NETMGR-RESULT##` line.
 */
import type { ArgKind } from "./encode";

export interface Param {
  readonly name: string;
  readonly kind: ArgKind;
}

/** Operations on a node: one Invoke-Command with the params below. */
export const NODE_OPERATIONS = [
  "environment",
  "freeSpace",
  "services",
  "setStartType",
  "startService",
  "stopService",
  "stat",
  "readFile",
  "writeFile",
  "list",
  "hashTree",
  "copy",
  "move",
  "remove",
  "mkdir",
  "run",
  "installedProducts",
  "processes",
  "stopProcess",
  "firewall",
  "probeTcp",
] as const;

/** Operations of the local shell itself: the session's lifecycle and the media staging steps. */
export const SHELL_OPERATIONS = [
  "openSsh",
  "openWinrm",
  "closeSession",
  "localManifest",
  "copyToSession",
] as const;

export type NodeOperation = (typeof NODE_OPERATIONS)[number];
export type ShellOperation = (typeof SHELL_OPERATIONS)[number];
export type OperationName = NodeOperation | ShellOperation;

export const ALL_OPERATIONS: readonly OperationName[] = [...SHELL_OPERATIONS, ...NODE_OPERATIONS];

/* ------------------------------------------------------------------------------------------------ */
/* Shared PowerShell fragments                                                                       */
/* ------------------------------------------------------------------------------------------------ */

const PREFERENCES = [
  "$ErrorActionPreference = 'Stop'",
  "$ProgressPreference = 'SilentlyContinue'",
  "$WarningPreference = 'SilentlyContinue'",
];

/**
 * JSON for the values our scripts build (null, bool, string, number, DateTime, dictionaries, arrays).
 * Backslash, double quote and control characters are written as \uXXXX; everything else stays as is (the
 * whole JSON travels base64-encoded, so no code page is involved).
 */
const JSON_FUNCTION = String.raw`function ConvertTo-NmJson($Value) {
  if ($null -eq $Value) { return 'null' }
  if ($Value -is [Enum]) { $Value = [string]$Value }
  if ($Value -is [bool]) { if ($Value) { return 'true' } else { return 'false' } }
  if ($Value -is [string] -or $Value -is [char]) {
    $NmStr = [string]$Value
    if ([regex]::IsMatch($NmStr, '[\\"\x00-\x1f]')) {
      $NmStr = [regex]::Replace($NmStr, '[\\"\x00-\x1f]', [Text.RegularExpressions.MatchEvaluator] { param($NmM) '\u' + ([int][char]$NmM.Value).ToString('x4') })
    }
    return '"' + $NmStr + '"'
  }
  if ($Value -is [datetime]) { return '"' + $Value.ToString('o', [Globalization.CultureInfo]::InvariantCulture) + '"' }
  $NmCode = [int][Type]::GetTypeCode($Value.GetType())
  if ($NmCode -ge 5 -and $NmCode -le 15) { return ([IFormattable]$Value).ToString($null, [Globalization.CultureInfo]::InvariantCulture) }
  if ($Value -is [Collections.IDictionary]) {
    $NmParts = New-Object 'System.Collections.Generic.List[string]'
    foreach ($NmKey in $Value.Keys) { $NmParts.Add((ConvertTo-NmJson ([string]$NmKey)) + ':' + (ConvertTo-NmJson $Value[$NmKey])) }
    return '{' + ($NmParts -join ',') + '}'
  }
  if ($Value -is [Collections.IEnumerable]) {
    $NmParts = New-Object 'System.Collections.Generic.List[string]'
    foreach ($NmItem in $Value) { $NmParts.Add((ConvertTo-NmJson $NmItem)) }
    return '[' + ($NmParts -join ',') + ']'
  }
  return ConvertTo-NmJson ([string]$Value)
}`;

/** Helpers of the local wrapper: argument decoding, the result line, the remote result. */
const LOCAL_HELPERS = String.raw`function NmText([string]$NmB) { return [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($NmB)) }
function NmOptText($NmB) { if ($null -eq $NmB) { return $null }; return (NmText $NmB) }
function NmTexts($NmL) {
  $NmR = New-Object 'System.Collections.Generic.List[string]'
  foreach ($NmX in @($NmL)) { $NmR.Add((NmText $NmX)) }
  return ,$NmR.ToArray()
}
function NmOptInt($NmV) { if ($null -eq $NmV) { return $null }; return [long]$NmV }
function NmEmit([string]$NmJsonText) {
  [Console]::Out.WriteLine('##NETMGR-RESULT## ' + [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($NmJsonText)))
}
function NmPick($NmOut) {
  $NmLast = $null
  foreach ($NmO in @($NmOut)) { if ($NmO -is [string] -and $NmO.StartsWith('NMJSON:')) { $NmLast = $NmO.Substring(7) } }
  if ($null -eq $NmLast) { throw 'the node returned no result' }
  return $NmLast
}
function NmClassify($NmE) {
  if ($NmE.Exception -is [System.Management.Automation.Remoting.PSRemotingTransportException]) { return 'unreachable' }
  $NmSs = $global:NetmgrSession
  if ($null -ne $NmSs -and [string]$NmSs.State -ne 'Opened') { return 'unreachable' }
  return 'failed'
}`;

const REQUIRE_SESSION = String.raw`$NmS = $global:NetmgrSession
if ($null -eq $NmS -or [string]$NmS.State -ne 'Opened') { $NmKind = 'unreachable'; throw 'no open remoting session to the node in this shell' }`;

function indent(text: string, by: string): string {
  return text
    .split("\n")
    .map((l) => (l.length > 0 ? by + l : l))
    .join("\n");
}

/** The script block that runs on the node: its own preferences, its own catch, one NMJSON string out. */
export function remoteBlock(params: readonly Param[], body: string): string {
  return [
    "{",
    `  param(${params.map((p) => "$" + p.name).join(", ")})`,
    indent(PREFERENCES.join("\n"), "  "),
    indent(JSON_FUNCTION, "  "),
    "  try {",
    "    $NmResult = $null",
    indent(body, "    "),
    `    'NMJSON:{"ok":true,"value":' + (ConvertTo-NmJson $NmResult) + '}'`,
    "  } catch {",
    `    'NMJSON:{"ok":false,"error":' + (ConvertTo-NmJson ([string]$_.Exception.Message)) + '}'`,
    "  }",
    "}",
  ].join("\n");
}

function decodeExpr(kind: ArgKind, index: number): string {
  const v = `$NmA[${index}]`;
  switch (kind) {
    case "string":
      return `NmText ${v}`;
    case "optString":
      return `NmOptText ${v}`;
    case "int":
      return `[long]${v}`;
    case "optInt":
      return `NmOptInt ${v}`;
    case "bool":
      return `[bool]${v}`;
    case "strings":
      return `NmTexts ${v}`;
  }
}

/** Local body of a node operation: decode each argument into $NmArgv, one Invoke-Command, pick its result. */
function invokeBody(params: readonly Param[], remote: string): string {
  const lines = [REQUIRE_SESSION];
  if (params.length > 0) {
    lines.push(`$NmArgv = New-Object 'System.Object[]' ${params.length}`);
    params.forEach((p, i) => lines.push(`$NmArgv[${i}] = ${decodeExpr(p.kind, i)}`));
    lines.push(
      `$NmJson = NmPick (Invoke-Command -Session $NmS -ScriptBlock ${remote} -ArgumentList $NmArgv)`,
    );
  } else {
    lines.push(`$NmJson = NmPick (Invoke-Command -Session $NmS -ScriptBlock ${remote})`);
  }
  return lines.join("\n");
}

/** The complete wrapper for one operation around its local body (which must set $NmJson). */
function wrapper(op: OperationName, localBody: string): string {
  return [
    `# netmgr:${op}`,
    "param([string]$NmPayload, [string]$NmBlob)",
    ...PREFERENCES,
    // Console-attached PowerShell on Windows uses the OEM code page (rannn505/child-shell#82); our line is ASCII anyway.
    "try { [Console]::OutputEncoding = [Text.Encoding]::UTF8 } catch { }",
    JSON_FUNCTION,
    LOCAL_HELPERS,
    "$NmKind = 'failed'",
    "try {",
    "  $NmA = @((ConvertFrom-Json -InputObject (NmText $NmPayload)).a)",
    "  $NmJson = $null",
    indent(localBody, "  "),
    "  NmEmit $NmJson",
    "} catch {",
    "  if ($NmKind -ne 'unreachable') { $NmKind = NmClassify $_ }",
    `  NmEmit ('{"ok":false,"kind":"' + $NmKind + '","error":' + (ConvertTo-NmJson ([string]$_.Exception.Message)) + '}')`,
    "}",
    "",
  ].join("\n");
}

/* ------------------------------------------------------------------------------------------------ */
/* Node operations                                                                                   */
/* ------------------------------------------------------------------------------------------------ */

interface NodeOpSpec {
  readonly params: readonly Param[];
  /** Runs on the node; sets $NmResult. */
  readonly body: string;
}

const p = (name: string, kind: ArgKind): Param => ({ name, kind });

/** Exact-name service lookup (Get-Service -Name would expand wildcards in the name). */
const FIND_SERVICE = String.raw`$NmSvc = @(Get-Service -ErrorAction SilentlyContinue | Where-Object { $_.Name -eq $Name })
if ($NmSvc.Count -eq 0) { throw ('there is no service named ' + $Name) }
$NmSvc = $NmSvc[0]`;

/** Create the parent folder of $To (.NET: literal path, all levels, no error when present). */
const ENSURE_PARENT = String.raw`$NmParent = [IO.Path]::GetDirectoryName($To)
if ($NmParent) { $null = [IO.Directory]::CreateDirectory($NmParent) }`;

export const NODE_OPS: Readonly<Record<NodeOperation, NodeOpSpec>> = {
  environment: {
    params: [],
    body: String.raw`$NmId = [Security.Principal.WindowsIdentity]::GetCurrent()
$NmAdmin = (New-Object Security.Principal.WindowsPrincipal ($NmId)).IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)
$NmWritable = $false
if ($env:TEMP -and (Test-Path -LiteralPath $env:TEMP -PathType Container)) {
  try {
    $NmProbe = Join-Path $env:TEMP ('netmgr-probe-' + [Guid]::NewGuid().ToString('N') + '.tmp')
    [IO.File]::WriteAllText($NmProbe, 'probe')
    Remove-Item -LiteralPath $NmProbe -Force
    $NmWritable = $true
  } catch { $NmWritable = $false }
}
$NmResult = [ordered]@{ hostName = [Net.Dns]::GetHostName(); isAdmin = [bool]$NmAdmin; temp = $env:TEMP; tmp = $env:TMP; systemDrive = $env:SystemDrive; tempWritable = $NmWritable }`,
  },
  freeSpace: {
    params: [p("Path", "string")],
    // Same figure as Win32_LogicalDisk.FreeSpace / Get-PSDrive Free for the volume, without a WQL filter string.
    body: String.raw`$NmRoot = [IO.Path]::GetPathRoot($Path)
if (-not $NmRoot -or $NmRoot.StartsWith('\\')) { throw ('free space needs a path on a drive letter, not ' + $Path) }
$NmDrive = New-Object IO.DriveInfo ($NmRoot)
if (-not $NmDrive.IsReady) { throw ('the volume ' + $NmRoot + ' is not ready on this node (a shared disk is online only on the active node)') }
$NmResult = [long]$NmDrive.AvailableFreeSpace`,
  },
  services: {
    params: [],
    body: String.raw`$NmResult = @(Get-CimInstance -ClassName Win32_Service | ForEach-Object { [ordered]@{ name = [string]$_.Name; displayName = [string]$_.DisplayName; startMode = [string]$_.StartMode; state = [string]$_.State } })`,
  },
  setStartType: {
    params: [p("Name", "string"), p("StartupType", "string")],
    body: `${FIND_SERVICE}\nSet-Service -InputObject $NmSvc -StartupType $StartupType`,
  },
  startService: {
    params: [p("Name", "string")],
    body: String.raw`${FIND_SERVICE}
if ([string]$NmSvc.Status -ne 'Running') { Start-Service -InputObject $NmSvc }
$NmSvc.Refresh()
if ([string]$NmSvc.Status -ne 'Running') { throw ('service ' + $Name + ' is ' + $NmSvc.Status + ' after Start-Service') }`,
  },
  stopService: {
    params: [p("Name", "string")],
    body: String.raw`${FIND_SERVICE}
if ([string]$NmSvc.Status -ne 'Stopped') { Stop-Service -InputObject $NmSvc -Force }
$NmSvc.Refresh()
if ([string]$NmSvc.Status -ne 'Stopped') { throw ('service ' + $Name + ' is ' + $NmSvc.Status + ' after Stop-Service') }`,
  },
  stat: {
    params: [p("Path", "string")],
    body: String.raw`if (Test-Path -LiteralPath $Path) {
  $NmItem = Get-Item -LiteralPath $Path -Force
  if ($NmItem.PSIsContainer) { $NmResult = 'dir' } else { $NmResult = 'file' }
}`,
  },
  readFile: {
    params: [p("Path", "string"), p("MaxBytes", "int")],
    // Shared read (ReadWrite|Delete): NetMgr's logs are open for writing by its services while we read them.
    body: String.raw`$NmItem = Get-Item -LiteralPath $Path -Force
if ($NmItem.PSIsContainer) { throw ($Path + ' is a folder, not a file') }
if ($NmItem.Length -gt $MaxBytes) { throw ($Path + ' is ' + $NmItem.Length + ' bytes, over the transfer limit of ' + $MaxBytes + ' bytes') }
$NmFs = New-Object IO.FileStream ($NmItem.FullName, [IO.FileMode]::Open, [IO.FileAccess]::Read, ([IO.FileShare]::ReadWrite -bor [IO.FileShare]::Delete))
try {
  $NmBuf = New-Object byte[] ([int]$NmFs.Length)
  $NmRead = 0
  while ($NmRead -lt $NmBuf.Length) {
    $NmN = $NmFs.Read($NmBuf, $NmRead, $NmBuf.Length - $NmRead)
    if ($NmN -le 0) { break }
    $NmRead += $NmN
  }
} finally { $NmFs.Dispose() }
$NmResult = [Convert]::ToBase64String($NmBuf, 0, $NmRead)`,
  },
  writeFile: {
    // One chunk per call (see WRITE_FILE_LOCAL): the node's remoting endpoint refuses objects over 10 MB by default.
    params: [p("Path", "string"), p("Part", "string"), p("Index", "int"), p("Last", "bool")],
    body: String.raw`$NmTmp = $Path + '.netmgr-partial'
if ($Index -eq 0) {
  if (Test-Path -LiteralPath $Path -PathType Container) { throw ($Path + ' is a folder, not a file') }
  $NmDir = [IO.Path]::GetDirectoryName($Path)
  if ($NmDir) { $null = [IO.Directory]::CreateDirectory($NmDir) }
  $NmMode = [IO.FileMode]::Create
} else { $NmMode = [IO.FileMode]::Append }
$NmBytes = [Convert]::FromBase64String($Part)
$NmFs = New-Object IO.FileStream ($NmTmp, $NmMode, [IO.FileAccess]::Write)
try { $NmFs.Write($NmBytes, 0, $NmBytes.Length) } finally { $NmFs.Dispose() }
if ($Last) {
  if (Test-Path -LiteralPath $Path) { Remove-Item -LiteralPath $Path -Force }
  [IO.File]::Move($NmTmp, $Path)
}`,
  },
  list: {
    params: [p("Dir", "string")],
    body: String.raw`$NmItem = Get-Item -LiteralPath $Dir -Force
if (-not $NmItem.PSIsContainer) { throw ($Dir + ' is a file, not a folder') }
$NmResult = @(Get-ChildItem -LiteralPath $NmItem.FullName -Force | ForEach-Object {
  if ($_.PSIsContainer) { [ordered]@{ name = $_.Name; kind = 'dir'; size = 0 } }
  else { [ordered]@{ name = $_.Name; kind = 'file'; size = [long]$_.Length } }
})`,
  },
  hashTree: {
    params: [p("Dir", "string")],
    body: String.raw`$NmItem = Get-Item -LiteralPath $Dir -Force
if (-not $NmItem.PSIsContainer) { throw ($Dir + ' is a file, not a folder') }
$NmRoot = $NmItem.FullName.TrimEnd('\')
$NmResult = @(Get-ChildItem -LiteralPath $NmItem.FullName -Recurse -File -Force | ForEach-Object {
  [ordered]@{ path = $_.FullName.Substring($NmRoot.Length + 1); size = [long]$_.Length; sha256 = (Get-FileHash -LiteralPath $_.FullName -Algorithm SHA256).Hash }
})`,
  },
  copy: {
    params: [p("From", "string"), p("To", "string")],
    // Copy-Item copies a folder INTO an existing destination folder: remove it first so it is replaced.
    body: String.raw`if (-not (Test-Path -LiteralPath $From)) { throw ('the source does not exist: ' + $From) }
if (Test-Path -LiteralPath $To) { Remove-Item -LiteralPath $To -Recurse -Force }
${ENSURE_PARENT}
Copy-Item -LiteralPath $From -Destination $To -Recurse -Force`,
  },
  move: {
    params: [p("From", "string"), p("To", "string")],
    // A rename (HostOps.move): Move-Item would put the source INSIDE an existing destination folder, so a
    // folder may replace nothing and nothing may replace a folder; a file replaces a file (-Force). Windows
    // PowerShell 5.1 cannot move a folder to another volume (Directory.Move; pwsh 7.1+ copies and deletes
    // itself), so that case is a copy and a removal.
    body: String.raw`$NmFrom = Get-Item -LiteralPath $From -Force
if (Test-Path -LiteralPath $To) {
  $NmTo = Get-Item -LiteralPath $To -Force
  if ($NmFrom.PSIsContainer -or $NmTo.PSIsContainer) { throw ('the destination exists and a folder cannot replace it or be replaced: ' + $To) }
}
${ENSURE_PARENT}
$NmSameVolume = [string]::Equals([IO.Path]::GetPathRoot($NmFrom.FullName), [IO.Path]::GetPathRoot($To), [StringComparison]::OrdinalIgnoreCase)
if ($NmFrom.PSIsContainer -and -not $NmSameVolume) {
  Copy-Item -LiteralPath $NmFrom.FullName -Destination $To -Recurse -Force
  Remove-Item -LiteralPath $NmFrom.FullName -Recurse -Force
} else {
  Move-Item -LiteralPath $From -Destination $To -Force
}`,
  },
  remove: {
    params: [p("Path", "string")],
    body: String.raw`if (Test-Path -LiteralPath $Path) { Remove-Item -LiteralPath $Path -Recurse -Force }`,
  },
  mkdir: {
    params: [p("Path", "string")],
    body: String.raw`$null = [IO.Directory]::CreateDirectory($Path)`,
  },
  run: {
    params: [
      p("Program", "string"),
      p("Line", "string"),
      p("Batch", "bool"),
      p("Cwd", "optString"),
      p("MaxOutput", "int"),
    ],
    body: String.raw`function NmTail([string]$NmFile, [long]$NmMax) {
  $NmB = [IO.File]::ReadAllBytes($NmFile)
  if ($NmB.Length -le $NmMax) { return [ordered]@{ bytes = [long]$NmB.Length; b64 = [Convert]::ToBase64String($NmB) } }
  return [ordered]@{ bytes = [long]$NmB.Length; b64 = [Convert]::ToBase64String($NmB, [int]($NmB.Length - $NmMax), [int]$NmMax) }
}
$NmCp = 0
try { $NmCp = [int](Get-ItemProperty -LiteralPath 'HKLM:\SYSTEM\CurrentControlSet\Control\Nls\CodePage' -Name OEMCP).OEMCP } catch { $NmCp = 0 }
if ($Cwd -and -not (Test-Path -LiteralPath $Cwd -PathType Container)) { throw ('the working folder does not exist: ' + $Cwd) }
$NmOutFile = [IO.Path]::GetTempFileName()
$NmErrFile = [IO.Path]::GetTempFileName()
try {
  if ($Batch) {
    # cmd.exe merges stderr into stdout itself (2>&1 inside its line), so the output keeps the program's order.
    $NmCmd = $Line + ' > "' + $NmOutFile + '" 2>&1'
    $NmSegs = $NmCmd.Split('%')
    for ($NmI = 1; $NmI -lt $NmSegs.Length - 1; $NmI++) {
      $NmVar = $NmSegs[$NmI].Split(':')[0]
      if ($NmVar.Length -gt 0 -and $null -ne [Environment]::GetEnvironmentVariable($NmVar)) { throw 'an argument contains a %...% sequence naming an environment variable of the node; cmd.exe would replace it' }
    }
    if ($Cwd) { Push-Location -LiteralPath $Cwd }
    try {
      # 5.1 and 7.x (Windows/Legacy modes) wrap this one argument in quotes as is; /s strips exactly those.
      $PSNativeCommandArgumentPassing = 'Legacy'
      $ErrorActionPreference = 'Continue'
      $global:LASTEXITCODE = $null
      $null = & cmd.exe /d /v:off /s /c $NmCmd 2>&1
      $NmExit = $LASTEXITCODE
    } finally {
      $ErrorActionPreference = 'Stop'
      if ($Cwd) { Pop-Location }
    }
    if ($null -eq $NmExit) { throw 'cmd.exe did not run' }
  } else {
    # Start-Process -Wait also waits for the installer's child processes (Start-Process docs, -Wait).
    $NmSp = @{ FilePath = $Program; Wait = $true; PassThru = $true; RedirectStandardOutput = $NmOutFile; RedirectStandardError = $NmErrFile }
    if ($Line) { $NmSp['ArgumentList'] = $Line }
    if ($Cwd) { $NmSp['WorkingDirectory'] = $Cwd }
    $NmProc = Start-Process @NmSp
    $NmExit = $NmProc.ExitCode
    if ($null -eq $NmExit) { throw ('the exit code of ' + $Program + ' is not available (Start-Process defect of PowerShell 7.4.0, PowerShell/PowerShell#20400, fixed in 7.4.1): update PowerShell on the node') }
  }
  $NmResult = [ordered]@{ exitCode = [int]$NmExit; stdout = (NmTail $NmOutFile $MaxOutput); stderr = (NmTail $NmErrFile $MaxOutput); codePage = $NmCp }
} finally {
  Remove-Item -LiteralPath $NmOutFile -Force -ErrorAction SilentlyContinue
  Remove-Item -LiteralPath $NmErrFile -Force -ErrorAction SilentlyContinue
}`,
  },
  installedProducts: {
    params: [],
    // Both registry views; never Win32_Product (querying it runs an MSI consistency check on every product, KB974524).
    body: String.raw`$NmKeys = @('HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\*', 'HKLM:\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall\*')
$NmResult = @(Get-ItemProperty -Path $NmKeys -ErrorAction SilentlyContinue | Where-Object { $_.DisplayName } | ForEach-Object { [ordered]@{ displayName = [string]$_.DisplayName; version = [string]$_.DisplayVersion } })`,
  },
  processes: {
    params: [],
    body: String.raw`$NmResult = @(Get-Process | ForEach-Object { $_.ProcessName } | Sort-Object -Unique)`,
  },
  stopProcess: {
    params: [p("Name", "string")],
    body: String.raw`$NmProcs = @(Get-Process -ErrorAction SilentlyContinue | Where-Object { $_.ProcessName -eq $Name })
foreach ($NmP in $NmProcs) {
  try { Stop-Process -InputObject $NmP -Force } catch { $NmP.Refresh(); if (-not $NmP.HasExited) { throw } }
}`,
  },
  firewall: {
    params: [],
    // ActiveStore: the rules in force, Group Policy ones included. The port filters are read once and joined on
    // the rule's Name (a filter's InstanceID): piping every rule to Get-NetFirewallPortFilter is slow.
    body: String.raw`$NmProfiles = @(Get-NetFirewallProfile -PolicyStore ActiveStore | Where-Object { [string]$_.Enabled -eq 'True' } | ForEach-Object { [string]$_.Name })
$NmRules = @()
if ($NmProfiles.Count -gt 0) {
  $NmFilters = @{}
  foreach ($NmF in @(Get-NetFirewallPortFilter -All -PolicyStore ActiveStore)) { $NmFilters[[string]$NmF.InstanceID] = $NmF }
  $NmRules = @(Get-NetFirewallRule -PolicyStore ActiveStore -Direction Inbound -Action Allow -Enabled True -ErrorAction SilentlyContinue | ForEach-Object {
    $NmF = $NmFilters[[string]$_.Name]
    if ($NmF) { [ordered]@{ name = [string]$_.DisplayName; protocol = [string]$NmF.Protocol; localPorts = @($NmF.LocalPort | ForEach-Object { [string]$_ }) } }
  })
}
$NmResult = [ordered]@{ enabledProfiles = $NmProfiles; inboundAllow = $NmRules }`,
  },
  probeTcp: {
    params: [p("Address", "string"), p("Port", "int"), p("TimeoutMs", "int")],
    // A TcpClient with a wait handle works the same on 5.1 and 7 (Test-NetConnection is 5.1-only and slow).
    body: String.raw`$NmClient = New-Object Net.Sockets.TcpClient
try {
  $NmOk = $false
  try {
    $NmAr = $NmClient.BeginConnect($Address, [int]$Port, $null, $null)
    if ($NmAr.AsyncWaitHandle.WaitOne([int]$TimeoutMs, $false)) { $NmClient.EndConnect($NmAr); $NmOk = $true }
  } catch { $NmOk = $false }
  $NmResult = $NmOk
} finally { $NmClient.Close() }`,
  },
};

/* ------------------------------------------------------------------------------------------------ */
/* Shell operations                                                                                  */
/* ------------------------------------------------------------------------------------------------ */

const PROBE_BLOCK = remoteBlock(
  [],
  String.raw`$NmResult = [ordered]@{ psVersion = $PSVersionTable.PSVersion.ToString(); computerName = [Net.Dns]::GetHostName() }`,
);

/** Close whatever this shell holds first: a PSSession lives until Remove-PSSession or its idle timeout (about_PSSessions). */
const CLOSE_ALL = String.raw`Get-PSSession | Remove-PSSession -ErrorAction SilentlyContinue
$global:NetmgrSession = $null`;

const OPEN_SSH_LOCAL = String.raw`$NmKind = 'unreachable'
$NmP = @{ HostName = (NmText $NmA[0]) }
if ($null -ne $NmA[1]) { $NmP['UserName'] = NmText $NmA[1] }
if ($null -ne $NmA[2]) { $NmP['KeyFilePath'] = NmText $NmA[2] }
if ($null -ne $NmA[3]) { $NmP['Port'] = [int]$NmA[3] }
# pwsh 7.3+: never prompt (password, unknown host key) - fail at once instead of waiting for the deadline.
if ((Get-Command New-PSSession).Parameters.ContainsKey('Options')) { $NmP['Options'] = @{ BatchMode = 'yes'; ConnectTimeout = [string][int]($NmA[4] / 1000) } }
${CLOSE_ALL}
$global:NetmgrSession = New-PSSession @NmP
$NmJson = NmPick (Invoke-Command -Session $global:NetmgrSession -ScriptBlock ${PROBE_BLOCK})`;

/**
 * WinRM with explicit credentials. The password arrives as one base64 leaf of the payload (stdin of this
 * shell only) and is decoded straight into a SecureString via a char[] that is cleared afterwards; it never
 * becomes script text, a command-line argument of a process, or an environment variable.
 */
const OPEN_WINRM_LOCAL = String.raw`$NmKind = 'unreachable'
$NmP = @{ ComputerName = (NmText $NmA[0]); SessionOption = (New-PSSessionOption -OpenTimeout ([int]$NmA[5])) }
if ($null -ne $NmA[1]) {
  $NmSec = New-Object Security.SecureString
  if ($null -ne $NmA[2]) {
    $NmChars = [Text.Encoding]::UTF8.GetChars([Convert]::FromBase64String($NmA[2]))
    foreach ($NmCh in $NmChars) { $NmSec.AppendChar($NmCh) }
    [Array]::Clear($NmChars, 0, $NmChars.Length)
    $NmA[2] = $null
  }
  $NmSec.MakeReadOnly()
  $NmP['Credential'] = New-Object Management.Automation.PSCredential ((NmText $NmA[1]), $NmSec)
}
if ($null -ne $NmA[3]) { $NmP['ConfigurationName'] = NmText $NmA[3] }
if ($null -ne $NmA[4]) { $NmP['Port'] = [int]$NmA[4] }
${CLOSE_ALL}
$global:NetmgrSession = New-PSSession @NmP
$NmJson = NmPick (Invoke-Command -Session $global:NetmgrSession -ScriptBlock ${PROBE_BLOCK})`;

const CLOSE_SESSION_LOCAL = `${CLOSE_ALL}\n$NmJson = '{"ok":true,"value":null}'`;

/** The media manifest on the controller (Linux path or UNC share), same shape as the node's hashTree. */
const LOCAL_MANIFEST_LOCAL = String.raw`$NmItem = Get-Item -LiteralPath (NmText $NmA[0]) -Force
if (-not $NmItem.PSIsContainer) { throw ('the media source is not a folder: ' + $NmItem.FullName) }
$NmBase = $NmItem.FullName.TrimEnd('\', '/')
$NmList = @(Get-ChildItem -LiteralPath $NmBase -Recurse -File -Force | ForEach-Object {
  [ordered]@{ path = $_.FullName.Substring($NmBase.Length + 1).Replace('/', '\'); size = [long]$_.Length; sha256 = (Get-FileHash -LiteralPath $_.FullName -Algorithm SHA256).Hash }
})
$NmJson = '{"ok":true,"value":' + (ConvertTo-NmJson $NmList) + '}'`;

/**
 * A session has no credentials for a second hop (SSH key logons none at all), so the installer cannot read a share. The
 * controller pushes the folder through the session instead; the destination must not exist (the caller
 * removes it), or Copy-Item would nest the folder inside it.
 */
const COPY_TO_SESSION_LOCAL = String.raw`${REQUIRE_SESSION}
Copy-Item -LiteralPath (NmText $NmA[0]) -Destination (NmText $NmA[1]) -ToSession $NmS -Recurse -Force
$NmJson = '{"ok":true,"value":null}'`;

/** writeFile: the content (the blob) goes to the node in chunks, each one Invoke-Command below the size limit. */
const WRITE_FILE_LOCAL = String.raw`${REQUIRE_SESSION}
$NmPath = NmText $NmA[0]
$NmChunk = [int]$NmA[1]
$NmBytes = [Convert]::FromBase64String($NmBlob)
$NmCount = [Math]::Max(1, [int][Math]::Ceiling($NmBytes.Length / $NmChunk))
for ($NmI = 0; $NmI -lt $NmCount; $NmI++) {
  $NmStart = $NmI * $NmChunk
  $NmArgv = New-Object 'System.Object[]' 4
  $NmArgv[0] = $NmPath
  $NmArgv[1] = [Convert]::ToBase64String($NmBytes, $NmStart, [Math]::Min($NmChunk, $NmBytes.Length - $NmStart))
  $NmArgv[2] = $NmI
  $NmArgv[3] = ($NmI -eq ($NmCount - 1))
  $NmJson = NmPick (Invoke-Command -Session $NmS -ScriptBlock ${remoteBlock(NODE_OPS.writeFile.params, NODE_OPS.writeFile.body)} -ArgumentList $NmArgv)
  if (-not $NmJson.StartsWith('{"ok":true')) { break }
}`;

/** What travels in the payload of each operation, in order (the script decodes by these kinds). */
export const PAYLOAD_KINDS: Readonly<Record<OperationName, readonly ArgKind[]>> = {
  // address, user, keyFile, port, connect timeout (ms)
  openSsh: ["string", "optString", "optString", "optInt", "int"],
  // address, user, password, configurationName, port, open timeout (ms)
  openWinrm: ["string", "optString", "optString", "optString", "optInt", "int"],
  closeSession: [],
  localManifest: ["string"],
  copyToSession: ["string", "string"],
  ...(Object.fromEntries(NODE_OPERATIONS.map((op) => [op, NODE_OPS[op].params.map((x) => x.kind)])) as Record<
    NodeOperation,
    ArgKind[]
  >),
  // path, chunk size; the content is the blob
  writeFile: ["string", "int"],
};

function build(op: OperationName): string {
  switch (op) {
    case "openSsh":
      return wrapper(op, OPEN_SSH_LOCAL);
    case "openWinrm":
      return wrapper(op, OPEN_WINRM_LOCAL);
    case "closeSession":
      return wrapper(op, CLOSE_SESSION_LOCAL);
    case "localManifest":
      return wrapper(op, LOCAL_MANIFEST_LOCAL);
    case "copyToSession":
      return wrapper(op, COPY_TO_SESSION_LOCAL);
    case "writeFile":
      return wrapper(op, WRITE_FILE_LOCAL);
    default: {
      const spec = NODE_OPS[op];
      return wrapper(op, invokeBody(spec.params, remoteBlock(spec.params, spec.body)));
    }
  }
}

const cache = new Map<OperationName, string>();

/** The wrapper script of an operation (constant per operation). */
export function scriptFor(op: OperationName): string {
  let script = cache.get(op);
  if (script === undefined) {
    script = build(op);
    cache.set(op, script);
  }
  return script;
}
