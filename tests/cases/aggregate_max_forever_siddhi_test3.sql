-- Siddhi: MaxForeverAggregatorExtensionTestCase.testMaxForeverAggregatorExtension3
@app:playback
-- maxForever(price1) without a window: one row per event, the maximum so far.
CREATE STREAM inputStream (price1 FLOAT, price2 FLOAT, price3 FLOAT);
INSERT INTO outputStream SELECT maxForever(price1) AS maxForeverValue FROM inputStream;
