-- Siddhi: ExternalTimeBatchWindowTestCase.externalTimeBatchWindowTest12
@app:playback
-- Each side emits a batch when an event past its end arrives; a side's held batch (the one it last emitted)
-- is what the other side joins against. FLOAT prices are the Java floats' exact values.
-- 2 current rows.
CREATE STREAM cseEventStream (timestamp BIGINT, symbol STRING, price FLOAT, volume INT);
CREATE STREAM twitterStream (timestamp BIGINT, user STRING, tweet STRING, company STRING);
INSERT INTO outputStream SELECT cseEventStream.symbol AS symbol, twitterStream.tweet, cseEventStream.price
FROM cseEventStream WINDOW('externalTimeBatch', timestamp, 1 SEC, 0) JOIN twitterStream WINDOW('externalTimeBatch', timestamp, 1 SEC, 0)
ON cseEventStream.symbol = twitterStream.company;
