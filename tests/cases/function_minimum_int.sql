-- Ported from Siddhi's MinimumFunctionExtensionTestCase.testMinFunctionExtension3 (siddhi-core query/function):
-- minimum of INT arguments keeps their type.
CREATE STREAM inputStream (price1 INT, price2 INT, price3 INT);
INSERT INTO MinStream SELECT minimum(price1, price2, price3) AS min FROM inputStream;
