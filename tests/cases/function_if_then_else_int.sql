-- Ported from Siddhi's IfThenElseFunctionTestCase.ifFunctionExtensionTestCase5 (siddhi-core
-- query/function): INT branches give an INT.
CREATE STREAM sensorEventStream (sensorValue INT, gainValue INT);
INSERT INTO outputStream
SELECT sensorValue, ifThenElse(sensorValue > 35, sensorValue * 5, sensorValue * 10) AS gainValue
FROM sensorEventStream;
