-- Siddhi: MaxAggregatorExtensionTestCase.testMaxAggregatorExtension1
@app:playback
-- max over time(1 sec), all events: 36, 37.88, then as each expires (alone in its chunk): 37.88, null.
CREATE STREAM inputStream (price1 DOUBLE, price2 DOUBLE, price3 DOUBLE);
INSERT ALL EVENTS INTO outputStream SELECT max(price1) AS maxForeverValue FROM inputStream WINDOW('time', 1 SEC);
