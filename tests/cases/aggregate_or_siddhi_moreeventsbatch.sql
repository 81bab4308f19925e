-- Siddhi: OrAggregatorExtensionTestCase.testORAggregatorMoreEventsBatchScenario
@app:playback
-- or(isFraud) over lengthBatch(2), grouped, all events: one row per group per batch; the test counts 2 row(s)
-- (no expired rows: the selector keeps each group's last event of the batch chunk).
CREATE STREAM cscStream (messageID STRING, isFraud BOOL, price DOUBLE);
INSERT ALL EVENTS INTO outputStream SELECT messageID, or(isFraud) AS isValidTransaction FROM cscStream WINDOW('lengthBatch', 2) GROUP BY messageID;
