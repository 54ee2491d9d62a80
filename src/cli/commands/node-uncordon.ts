/** `kubekeeper node uncordon`: mark nodes schedulable again, as `kubectl uncordon` does. */
import { cordonCommand } from '../cordon-command.js';

export default cordonCommand('uncordon', 'Mark a node schedulable again (spec.unschedulable removed)');
