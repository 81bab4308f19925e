-- Ported from Siddhi's IfThenElseFunctionTestCase.ifFunctionExtensionTestCase6 (siddhi-core
-- query/function): an ifThenElse as the condition of another.
CREATE STREAM sensorEventStream (sensorValue DOUBLE, status STRING);
INSERT INTO outputStream
SELECT sensorValue, ifThenElse(ifThenElse(sensorValue > 35, true, false), 'High', 'Low') AS status
FROM sensorEventStream;
