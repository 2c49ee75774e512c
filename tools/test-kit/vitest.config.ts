import { defineConfig } from 'vitest/config';
import { runboardVitestConfig } from '../vitest-shared.js';

export default defineConfig(runboardVitestConfig());
