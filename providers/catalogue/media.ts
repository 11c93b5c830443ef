/**
 * Where things are on the installation media, per layout (§2.4.1 step 1b, §3.1 step 1, §3.2, §3.3, §3.4.1 Tips).
 *
 * `plain` is the NetMgr DVD, whose Windows tree sits under `NvPRO\`; `masterscope` is MasterScope Media,
 * whose tree is at the root. The guide once writes the plain DVD's sql_rupdate as `E:\Windows\Tools\...`
 * (§3.2.1) and once as `E:\NvPRO\Windows\Tools\...` (§3.2.2); the catalogue follows the majority form
 * (`NvPRO\Windows\...`) for every plain-layout item.
 */
export type MediaLayout = "plain" | "masterscope";

export type MediaItem =
  /** §3.1 step 1, §3.6 step 1 */
  | "setup"
  /** §2.4.1 step 1b */
  | "sgbackupList"
  /** §3.2.1 / §3.2.2 step 1: the DB update scripts folder (postgres\, sqlserver\) */
  | "sqlRupdate"
  /** §3.3 step 1 */
  | "imsIni"
  /** §3.4.1 step 1: the folder whose contents go to %NVP_INSTALL_PATH%\Manager\bin */
  | "adapterBin";

const RELATIVE: Record<MediaItem, string> = {
  setup: "Windows\\Setup.exe",
  sgbackupList: "Windows\\Tools\\NvPRO\\sgbackup_comm.lst",
  sqlRupdate: "Windows\\Tools\\sql_rupdate",
  imsIni: "Windows\\Tools\\NvPRO\\NvPROIms.ini",
  adapterBin: "Windows\\Tools\\NvPRO\\bin",
};

export function mediaPath(media: { path: string; layout: MediaLayout }, item: MediaItem): string {
  const root = media.path.replace(/\\+$/, "");
  const prefix = media.layout === "plain" ? "NvPRO\\" : "";
  return `${root}\\${prefix}${RELATIVE[item]}`;
}
