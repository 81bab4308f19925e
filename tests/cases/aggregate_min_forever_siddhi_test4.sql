-- Siddhi: MinForeverAggregatorExtensionTestCase.testMinForeverAggregatorExtension4
@app:playback
-- minForever(price1) without a window: one row per event, the minimum so far.
CREATE STREAM inputStream (price1 BIGINT, price2 BIGINT, price3 BIGINT);
INSERT INTO outputStream SELECT minForever(price1) AS minForever FROM inputStream;
