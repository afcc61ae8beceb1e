import { InProcessJobRunner } from './in-process-job-runner.js';
import { jobRunnerContract } from './job-runner.contract.js';

jobRunnerContract('in-process', () => new InProcessJobRunner());
