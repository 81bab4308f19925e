-- Siddhi: ConvertFunctionTestCase.convertFunctionTest1
@app:playback
CREATE STREAM typeStream (typeS STRING, typeF FLOAT, typeD DOUBLE, typeI INT, typeL LONG, typeB BOOL, typeN DOUBLE);
INSERT INTO outputStream
SELECT convert(typeS, 'string') AS valueS, convert(typeF, 'float') AS valueF,
       convert(typeD, 'double') AS valueD, convert(typeI, 'int') AS valueI,
       convert(typeL, 'long') AS valueL, convert(typeB, 'bool') AS valueB,
       convert(typeN, 'string') AS valueN
FROM typeStream;
