-- Siddhi: MinForeverAggregatorExtensionTestCase.testMinForeverAggregatorExtension3
@app:playback
-- minForever(price1) without a window: one row per event, the minimum so far.
CREATE STREAM inputStream (price1 FLOAT, price2 FLOAT, price3 FLOAT);
INSERT INTO outputStream SELECT minForever(price1) AS minForeverValue FROM inputStream;
