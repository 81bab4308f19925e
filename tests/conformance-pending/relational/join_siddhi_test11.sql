-- Siddhi: JoinTestCase.joinTest11
@app:playback
-- Unidirectional windowless side, all events: asserted 2 current and 2 expired events. Siddhi's
-- windowless side emits each event as current, then as expired, then a RESET; the expired copy
-- joins too and retracts the count.
CREATE STREAM cseEventStream (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM twitterStream (user STRING, tweet STRING, company STRING);
INSERT ALL EVENTS INTO outputStream
SELECT count() AS events, symbol, tweet
FROM cseEventStream UNIDIRECTIONAL JOIN twitterStream WINDOW('length', 1);
