/**
 * Table 3-2 is also kept as display-name data in the catalogue (providers/catalogue/dependencies.ts, used by
 * the lab). The two must say the same; this test is skipped when that module is absent.
 */
import {
  SERVICE_ROLES,
  TABLE_3_2,
  serviceSpecOf,
  type Role,
} from "../../providers/expresscluster/dependencies";

interface CatalogueTable {
  RESOURCE_DEPENDENCIES: Readonly<Record<string, readonly string[]>>;
  FIP: string;
  DISK: string;
  SCRIPT: string;
}

function loadCatalogue(): CatalogueTable | undefined {
  try {
    return require("../../providers/catalogue/dependencies") as CatalogueTable;
  } catch {
    return undefined;
  }
}

const catalogue = loadCatalogue();

(catalogue ? describe : describe.skip)("Table 3-2 here and in the catalogue", () => {
  it("agree on every row", () => {
    if (!catalogue) return;
    const c = catalogue;
    const token = (role: Role): string =>
      role === "fip"
        ? c.FIP
        : role === "disk"
          ? c.DISK
          : role === "script"
            ? c.SCRIPT
            : serviceSpecOf(role).displayName;
    const ours: Record<string, string[]> = {};
    for (const [left, right] of Object.entries(TABLE_3_2)) ours[token(left as Role)] = right.map(token);
    expect(ours).toEqual(c.RESOURCE_DEPENDENCIES);
    expect(SERVICE_ROLES).toHaveLength(10);
  });
});
