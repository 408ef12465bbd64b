# test_bloom_example.py — examples/bloom: a Bloom filter class written on sigbind.h alone (buffers, str, iteration, instances, class methods).
import array
import unittest

import bloom


class BloomExample(unittest.TestCase):
    def test_added_items_are_found(self):
        f = bloom.BloomFilter(4096, 3)
        words = ["alpha", "beta", b"gamma", bytearray(b"delta"), memoryview(b"eps")]
        for w in words:
            f.add(w)
        for w in words:
            self.assertIn(w, f)
        self.assertEqual(len(f), 5)
        self.assertEqual((f.nbits, f.nhashes), (4096, 3))
        misses = sum(("absent-%d" % i) in f for i in range(1000))
        self.assertLess(misses, 50)

    def test_str_and_its_utf8_bytes_are_the_same_item(self):
        f = bloom.BloomFilter()
        f.add("héllo")
        self.assertIn("héllo".encode(), f)

    def test_update_from_any_iterable(self):
        f = bloom.BloomFilter()
        self.assertEqual(f.update(str(i) for i in range(100)), 100)
        self.assertTrue(all(str(i) in f for i in range(100)))
        with self.assertRaises(TypeError):
            f.update(["ok", 5])  # 5 is neither str nor a buffer
        self.assertIn("ok", f)

    def test_bytes_round_trip_and_subclasses(self):
        f = bloom.BloomFilter(1024, 2)
        f.update(["a", "b"])
        data = f.to_bytes()
        self.assertEqual(len(data), 128)

        class Mine(bloom.BloomFilter):
            pass

        g = Mine.from_bytes(array.array("B", data), 2)
        self.assertIs(type(g), Mine)
        self.assertIn("a", g)
        self.assertEqual(g.to_bytes(), data)
        with self.assertRaises(TypeError):
            bloom.BloomFilter.from_bytes(array.array("d", [1.0]))  # not bytes

    def test_union_checks_its_argument(self):
        a, b = bloom.BloomFilter(512, 2), bloom.BloomFilter(512, 2)
        a.add("x")
        b.add("y")
        u = a.union(b)
        self.assertTrue("x" in u and "y" in u)
        self.assertEqual(len(u), 2)
        with self.assertRaises(TypeError) as cm:
            a.union("not a filter")
        self.assertIn("expected a BloomFilter instance", str(cm.exception))
        with self.assertRaises(ValueError):
            a.union(bloom.BloomFilter(1024, 2))

    def test_bad_shape_is_value_error(self):
        with self.assertRaises(ValueError):
            bloom.BloomFilter(7)


if __name__ == "__main__":
    unittest.main()
