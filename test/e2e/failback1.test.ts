/** Failback through the real pulumi CLI, second half of the cases (see failbackCases.ts). */
import { CASES, describeCliFailbacks } from "./failbackCases";

describeCliFailbacks(CASES.filter((_, i) => i % 2 === 1));
