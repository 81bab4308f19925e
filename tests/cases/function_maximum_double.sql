-- Ported from Siddhi's MaximumFunctionExtensionTestCase.testMaxFunctionExtension1 (siddhi-core query/function):
-- maximum of DOUBLE arguments, one row per event.
CREATE STREAM inputStream (price1 DOUBLE, price2 DOUBLE, price3 DOUBLE);
INSERT INTO MaxStream SELECT maximum(price1, price2, price3) AS max FROM inputStream;
