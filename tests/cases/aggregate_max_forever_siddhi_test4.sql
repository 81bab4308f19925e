-- Siddhi: MaxForeverAggregatorExtensionTestCase.testMaxForeverAggregatorExtension4
@app:playback
-- maxForever(price1) without a window: one row per event, the maximum so far.
CREATE STREAM inputStream (price1 BIGINT, price2 BIGINT, price3 BIGINT);
INSERT INTO outputStream SELECT maxForever(price1) AS maxForever FROM inputStream;
