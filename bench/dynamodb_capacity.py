"""DynamoDB capacity as AWS bills it, computed from the items a call reads and writes.

moto reports ConsumedCapacity as fixed numbers, not from item sizes (GetItem 0.5, PutItem/Query/Scan/
DeleteItem 1.0, TransactGetItems 2.0 per item, and nothing at all for TransactWriteItems or UpdateItem);
these functions apply AWS's documented rules instead, so the cost figures follow what AWS would charge:

  - item size: the sum of attribute names and values (DynamoDB item sizes and formats,
    https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html);
  - a write request unit per 1 KB of the larger of the item before and after the write, at least one;
    a transactional write (each Put, Update, Delete and ConditionCheck of TransactWriteItems) twice that;
  - a read request unit per 4 KB, strongly consistent 1, eventually consistent 0.5, transactional 2;
    a Query or Scan rounds the total size of the items it returns, not each item;
  - every global secondary index an item enters, leaves or changes in costs one more write (two when the
    index key changes: a delete and a put), sized like the index entry (here projection ALL: the item).

Python 3 standard library only.
"""

import base64
import math

WRITE_UNIT_BYTES = 1024
READ_UNIT_BYTES = 4096


def _number_size(text):
    digits = text.strip().lstrip("+-").replace(".", "")
    mantissa = digits.split("e")[0].split("E")[0].strip("0") or "0"
    return 1 + math.ceil(len(mantissa) / 2)


def value_size(value):
    """Bytes of one AttributeValue ({"S": ...}, {"N": ...}, {"M": {...}}, ...) without its name."""
    (kind, inner), = value.items()
    if kind == "S":
        return len(inner.encode("utf-8"))
    if kind == "N":
        return _number_size(inner)
    if kind == "B":
        return len(base64.b64decode(inner))
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(s.encode("utf-8")) for s in inner)
    if kind == "NS":
        return sum(_number_size(n) for n in inner)
    if kind == "BS":
        return sum(len(base64.b64decode(b)) for b in inner)
    if kind == "L":  # 3 bytes for the list, 1 per element
        return 3 + sum(1 + value_size(v) for v in inner)
    if kind == "M":
        return 3 + sum(1 + len(k.encode("utf-8")) + value_size(v) for k, v in inner.items())
    raise ValueError(f"unknown AttributeValue type {kind!r}")


def item_size(item):
    """Bytes of an item in DynamoDB's JSON form; 0 for None (no item)."""
    if not item:
        return 0
    return sum(len(name.encode("utf-8")) + value_size(v) for name, v in item.items())


def write_units(size_bytes):
    return max(1, math.ceil(size_bytes / WRITE_UNIT_BYTES))


def read_units(size_bytes, consistent):
    units = max(1, math.ceil(size_bytes / READ_UNIT_BYTES))
    return float(units) if consistent else units / 2.0


class TableShape:
    """Key attributes of a table and of its global secondary indexes (from DescribeTable)."""

    def __init__(self, description):
        table = description["Table"]
        self.name = table["TableName"]
        self.key = [k["AttributeName"] for k in table["KeySchema"]]
        self.indexes = {g["IndexName"]: [k["AttributeName"] for k in g["KeySchema"]]
                        for g in table.get("GlobalSecondaryIndexes", [])}
        self.projections = {g["IndexName"]: g.get("Projection", {}).get("ProjectionType", "ALL")
                            for g in table.get("GlobalSecondaryIndexes", [])}

    def key_of(self, item):
        return {name: item[name] for name in self.key if name in item}


def _index_entry(item, index_key, table_key, projection):
    if not item or any(name not in item for name in index_key):
        return None
    if projection == "ALL":
        return item
    return {n: item[n] for n in set(index_key) | set(table_key)}  # KEYS_ONLY (INCLUDE: keys as a floor)


def index_write_units(shape, before, after):
    """Write units of the global secondary indexes for one item going from `before` to `after`."""
    total = 0
    for name, index_key in shape.indexes.items():
        old = _index_entry(before, index_key, shape.key, shape.projections[name])
        new = _index_entry(after, index_key, shape.key, shape.projections[name])
        if old is None and new is None:
            continue
        if old is None:
            total += write_units(item_size(new))
        elif new is None:
            total += write_units(item_size(old))
        elif any(old[k] != new[k] for k in index_key):
            total += write_units(item_size(old)) + write_units(item_size(new))
        elif old != new:
            total += write_units(max(item_size(old), item_size(new)))
    return total


def item_write(shape, before, after, transactional, condition_failed=False):
    """(table units, index units) of one item write: before/after are the item's images (None: absent)."""
    factor = 2 if transactional else 1
    units = write_units(max(item_size(before), item_size(after))) * factor
    if condition_failed:
        return units, 0  # the write did not happen: the item was read, no index changed
    return units, index_write_units(shape, before, after)


def items_read(items, consistent, transactional=False):
    """Read units of one Get, or of one Query/Scan page (its items' total size rounded once)."""
    size = sum(item_size(i) for i in items)
    if transactional:
        return 2.0 * max(1, math.ceil(size / READ_UNIT_BYTES))
    return read_units(size, consistent)


def moto_reported(response_body):
    """Sum of CapacityUnits in a response's ConsumedCapacity (a dict, a list of dicts, or absent)."""
    consumed = response_body.get("ConsumedCapacity") if isinstance(response_body, dict) else None
    if isinstance(consumed, dict):
        consumed = [consumed]
    if not consumed:  # absent, or moto's empty list for TransactWriteItems
        return None
    return sum(float(c.get("CapacityUnits", 0)) for c in consumed)
