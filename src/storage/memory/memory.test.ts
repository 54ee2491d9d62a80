import { runBackendConformance } from '../testing.js';
import { MemoryBackend } from './memory-backend.js';

runBackendConformance('memory', { create: async () => new MemoryBackend() });
