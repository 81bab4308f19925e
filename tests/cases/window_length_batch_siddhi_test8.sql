-- Siddhi: LengthBatchWindowTestCase.lengthBatchWindowTest8
@app:playback
-- A join of two lengthBatch(2) windows, all events: 4 current and 2 expired rows.
-- The twitter batch joins the held cse batch; the second cse batch expires the first (2 expired rows) and joins.
-- FLOAT prices are written as the exact values of the Java floats (55.6f = 55.599998474121094).
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume INT);
CREATE STREAM twitterStream (user STRING, tweet STRING, company STRING);
INSERT ALL EVENTS INTO outputStream SELECT cseEventStream.symbol AS symbol, twitterStream.tweet, cseEventStream.price FROM cseEventStream WINDOW('lengthBatch', 2) JOIN twitterStream WINDOW('lengthBatch', 2) ON cseEventStream.symbol = twitterStream.company;
