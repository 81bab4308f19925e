-- Siddhi: MinForeverAggregatorExtensionTestCase.testMinForeverAggregatorExtension1
@app:playback
-- minForever(price1) without a window: one row per event, the minimum so far.
CREATE STREAM inputStream (price1 DOUBLE, price2 DOUBLE, price3 DOUBLE);
INSERT INTO outputStream SELECT minForever(price1) AS minForeverValue FROM inputStream;
