/* tlib_decls.h — what tests/stubs/run_pyright.py declares in a Library of tests/py/testlib.c before writing its stub (tlib.pyi). */
struct point { int x; int y; };
struct thing;
int t_int(int x);
size_t t_strlen(const char *s);
double t_sum_doubles(const double *p [[len(n)]], size_t n);
int thing_open(int value, struct thing **out [[out]]);
struct point point_add(struct point a, struct point b);
enum t_color { T_RED, T_GREEN = 5, T_BLUE };
extern int g_counter;
