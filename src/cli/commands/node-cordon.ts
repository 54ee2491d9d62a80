/** `kubekeeper node cordon`: mark nodes unschedulable, as `kubectl cordon` does. */
import { cordonCommand } from '../cordon-command.js';

export default cordonCommand('cordon', 'Mark a node unschedulable (spec.unschedulable=true)');
