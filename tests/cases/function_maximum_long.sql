-- Ported from Siddhi's MaximumFunctionExtensionTestCase.testMaxFunctionExtension5 (siddhi-core query/function):
-- maximum of BIGINT arguments keeps their type.
CREATE STREAM inputStream (price1 BIGINT, price2 BIGINT, price3 BIGINT);
INSERT INTO MaxStream SELECT maximum(price1, price2, price3) AS max FROM inputStream;
