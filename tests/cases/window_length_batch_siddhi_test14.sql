-- Siddhi: LengthBatchWindowTestCase.lengthBatchWindowTest14
@app:playback
-- lengthBatch(2, true) on both sides, all events: 4 current rows, 2 expired.
-- FLOAT prices are written as the exact values of the Java floats (55.6f = 55.599998474121094).
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume INT);
CREATE STREAM twitterStream (user STRING, tweet STRING, company STRING);
INSERT ALL EVENTS INTO outputStream SELECT cseEventStream.symbol AS symbol, twitterStream.tweet, cseEventStream.price FROM cseEventStream WINDOW('lengthBatch', 2, true) JOIN twitterStream WINDOW('lengthBatch', 2, true) ON cseEventStream.symbol = twitterStream.company;
