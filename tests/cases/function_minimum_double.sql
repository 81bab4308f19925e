-- Ported from Siddhi's MinimumFunctionExtensionTestCase.testMinFunctionExtension1 (siddhi-core query/function):
-- minimum of DOUBLE arguments, one row per event.
CREATE STREAM inputStream (price1 DOUBLE, price2 DOUBLE, price3 DOUBLE);
INSERT INTO MinStream SELECT minimum(price1, price2, price3) AS min FROM inputStream;
