-- Siddhi: MaxForeverAggregatorExtensionTestCase.testMaxForeverAggregatorExtension1
@app:playback
-- maxForever(price1) without a window: one row per event, the maximum so far.
CREATE STREAM inputStream (price1 DOUBLE, price2 DOUBLE, price3 DOUBLE);
INSERT INTO outputStream SELECT maxForever(price1) AS maxForeverValue FROM inputStream;
