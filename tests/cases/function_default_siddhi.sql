-- Siddhi: the default() function as FunctionTestCase.testFunctionQuery5/6 declare it (value, or
-- the default when it is NULL; same type).
@app:playback
CREATE STREAM cseEventStream (temp DOUBLE, roomNo INT, deviceId LONG);
INSERT INTO StandardTempStream SELECT default(temp, 0.0) AS temp, roomNo FROM cseEventStream;
