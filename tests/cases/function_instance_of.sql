-- Ported from Siddhi's InstanceOfFunctionTestCase (siddhi-core query/function):
-- testInstanceOf{Long,Boolean,Integer,String,Double,Float}FunctionExtensionTestCase. The first
-- event holds each attribute's own type: true. Siddhi's second event puts a value of another
-- type there (untyped Java objects); an EventFlux attribute is typed, so the one value of "not
-- that type" it can hold is NULL: false.
CREATE STREAM sensorEventStream (timestamp BIGINT, isPowerSaverEnabled BOOL, sensorId INT,
                                 sensorName STRING, longitude DOUBLE, latitude DOUBLE,
                                 humidity FLOAT, sensorValue DOUBLE);
INSERT INTO outputStream
SELECT sensorId,
       instanceOfLong(timestamp) AS long_ok,
       instanceOfBoolean(isPowerSaverEnabled) AS bool_ok,
       instanceOfInteger(sensorId) AS int_ok,
       instanceOfString(sensorName) AS string_ok,
       instanceOfDouble(longitude) AS double_ok,
       instanceOfFloat(humidity) AS float_ok,
       instanceOfInteger(timestamp) AS long_is_int
FROM sensorEventStream;
