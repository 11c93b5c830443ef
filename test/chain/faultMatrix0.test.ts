/** The fault matrix, in-process: half 1 of the cases (see test/support/faultMatrix.ts). */
import { describeFaultMatrix } from "../support/faultMatrix";

describeFaultMatrix(0);
