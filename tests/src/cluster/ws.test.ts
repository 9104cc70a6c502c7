// The cross-node suite, unchanged, over @warden/transport-ws: real WebSockets on 127.0.0.1 in one
// process, time on the suite's TestClock. Each transport registers with the TestClock as a settle
// participant that stays busy while a frame it sent is unacknowledged, a dial or a close is under
// way, or a batch waits for the end of the tick; so `clock.settle()` covers traffic in flight on
// the sockets (it turns the event loop until the peers have read, handled and acknowledged it).
import { crossNodeSuite } from './cross-node-suite.js';
import { makeWsCluster } from './ws-cluster.js';

crossNodeSuite('the WebSocket transport', (names, clock) => makeWsCluster(names, clock));
