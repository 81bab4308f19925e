-- Siddhi: MinForeverAggregatorExtensionTestCase.testMinForeverAggregatorExtension2
@app:playback
-- minForever(price1) without a window: one row per event, the minimum so far.
CREATE STREAM inputStream (price1 INT, price2 INT, price3 INT);
INSERT INTO outputStream SELECT minForever(price1) AS minForeverValue FROM inputStream;
