-- Siddhi: LengthBatchWindowTestCase.lengthBatchWindowTest9
@app:playback
-- The same join, current events only: 4 rows, none expired.
-- FLOAT prices are written as the exact values of the Java floats (55.6f = 55.599998474121094).
CREATE STREAM cseEventStream (symbol STRING, price FLOAT, volume INT);
CREATE STREAM twitterStream (user STRING, tweet STRING, company STRING);
INSERT INTO outputStream SELECT cseEventStream.symbol AS symbol, twitterStream.tweet, cseEventStream.price FROM cseEventStream WINDOW('lengthBatch', 2) JOIN twitterStream WINDOW('lengthBatch', 2) ON cseEventStream.symbol = twitterStream.company;
