import { InProcessTrafficLimiter } from './in-process-traffic-limiter.js';
import { trafficLimiterContract } from './traffic-limiter.contract.js';

trafficLimiterContract('in-process', () => new InProcessTrafficLimiter());
