/** The fault matrix, in-process: half 2 of the cases (see test/support/faultMatrix.ts). */
import { describeFaultMatrix } from "../support/faultMatrix";

describeFaultMatrix(1);
