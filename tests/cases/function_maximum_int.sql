-- Ported from Siddhi's MaximumFunctionExtensionTestCase.testMaxFunctionExtension3 (siddhi-core query/function):
-- maximum of INT arguments keeps their type.
CREATE STREAM inputStream (price1 INT, price2 INT, price3 INT);
INSERT INTO MaxStream SELECT maximum(price1, price2, price3) AS max FROM inputStream;
