-- Ported from Siddhi's IfThenElseFunctionTestCase.ifFunctionExtensionTestCase1 (siddhi-core
-- query/function): ifThenElse picks a branch per event.
CREATE STREAM sensorEventStream (sensorValue DOUBLE, status STRING);
INSERT INTO outputStream
SELECT sensorValue, ifThenElse(sensorValue > 35, 'High', 'Low') AS status FROM sensorEventStream;
