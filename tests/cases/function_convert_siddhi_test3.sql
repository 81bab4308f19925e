-- Siddhi: ConvertFunctionTestCase.convertFunctionTest3
@app:playback
CREATE STREAM typeStream (typeS STRING, typeF FLOAT, typeD DOUBLE, typeI INT, typeL LONG, typeB BOOL);
INSERT INTO outputStream
SELECT convert(typeS, 'bool') AS valueB1, convert(typeF, 'bool') AS valueB2, convert(typeD, 'bool') AS valueB3,
       convert(typeI, 'bool') AS valueB4, convert(typeL, 'bool') AS valueB5, convert(typeB, 'bool') AS valueB6
FROM typeStream;
