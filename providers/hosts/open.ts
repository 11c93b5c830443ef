/** Open the target the provider settings name: the lab (default) or real hosts through PowerShell. */
import type { ProviderSettings } from "../config/provider";
import type { Target } from "./target";

export async function openTarget(settings: ProviderSettings): Promise<Target> {
  throw new Error(`target "${settings.target}" is not available in this build`);
}
