import type { AnyRule } from '../lib/rule';
import encryptionAtRest from './encryption-at-rest';
import publicAppPorts from './public-app-ports';
import secretRotation from './secret-rotation';
import vpcFlowLogs from './vpc-flow-logs';

/** Every rule driftwarden ships. A new rule is one file in this folder and one line here. */
export const RULES: readonly AnyRule[] = [vpcFlowLogs, publicAppPorts, encryptionAtRest, secretRotation];
