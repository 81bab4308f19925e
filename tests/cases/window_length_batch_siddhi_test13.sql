-- Siddhi: LengthBatchWindowTestCase.lengthBatchWindowTest13
@app:playback
-- lengthBatch(2, true) on both sides, all events: 2 current rows and 1 expired. The third cse event
-- expires the full cse batch [WSO2, IBM] (Siddhi expires a stream.current.event batch when the next
-- event arrives), whose WSO2 joins User1 as an expired row; then WSO2 57.6 joins User1.
-- FLOAT prices are written as the exact values of the Java floats (55.6f = 55.599998474121094).
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume INT);
CREATE STREAM twitterStream (user STRING, tweet STRING, company STRING);
INSERT ALL EVENTS INTO outputStream SELECT cseEventStream.symbol AS symbol, twitterStream.tweet, cseEventStream.price FROM cseEventStream WINDOW('lengthBatch', 2, true) JOIN twitterStream WINDOW('lengthBatch', 2, true) ON cseEventStream.symbol = twitterStream.company;
