-- Siddhi: MaxForeverAggregatorExtensionTestCase.testMaxForeverAggregatorExtension2
@app:playback
-- maxForever(price1) without a window: one row per event, the maximum so far.
CREATE STREAM inputStream (price1 INT, price2 INT, price3 INT);
INSERT INTO outputStream SELECT maxForever(price1) AS maxForeverValue FROM inputStream;
