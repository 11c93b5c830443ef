/**
 * §4.2.1 step 2: the folders under `%NVP_SHARE_PATH%\Manager\sg` that the shared-disk update adds to, which a
 * failback deletes before restoring the backup — and, when the old version is earlier than 8.0, the extra
 * ones. One list for the procedures (which delete them) and the lab (whose update writes into them).
 */
export const SHARED_DISK_UPDATE_FOLDERS: readonly string[] = [
  "NvPRO\\RMAPI\\db",
  "NvPRO\\ResourceManager\\work",
  "NvPRO\\NVWORK\\local",
  ...[
    "amib",
    "attitem",
    "comptype",
    "icontype",
    "icontype_ax",
    "locale",
    "menuitem",
    "menuitem_ax",
    "reptype",
    "trap",
  ].map((d) => `NvPRO\\NVWORK\\public\\${d}`),
  "NvPRO\\NVWORK\\public\\exdll\\KNOWLEDGE",
  "NvPRO\\NVWORK\\tmp",
];

/** §4.2.1 step 2, old version earlier than 8.0: the extra folders and file, relative to the sg folder. */
export const PRE80_EXTRA_DELETIONS: readonly string[] = [
  "NvPRO\\ImsAdapter",
  "database\\NvPROPerfDB",
  "NvPRO\\NvPROIms.ini",
];
