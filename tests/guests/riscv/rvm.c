/* M extension: multiply, divide, remainder incl. W forms and the division edge
 * cases (x/0, INT_MIN/-1) whose results are defined by the spec. */
#include "ops.h"

int main(void)
{
    FOR_PAIRS("mul", "mul");
    FOR_PAIRS("mulh", "mulh");
    FOR_PAIRS("mulhsu", "mulhsu");
    FOR_PAIRS("mulhu", "mulhu");
    FOR_PAIRS("mulw", "mulw");
    FOR_PAIRS("div", "div");
    FOR_PAIRS("divu", "divu");
    FOR_PAIRS("rem", "rem");
    FOR_PAIRS("remu", "remu");
    FOR_PAIRS("divw", "divw");
    FOR_PAIRS("divuw", "divuw");
    FOR_PAIRS("remw", "remw");
    FOR_PAIRS("remuw", "remuw");
    /* Named edge cases, one per line so a failure says which. */
    const ulong MIN = 0x8000000000000000UL, MIN32 = 0xffffffff80000000UL;
    pr("div MIN/-1 = %lx\n", OP_RR("div", MIN, -1L));
    pr("rem MIN/-1 = %lx\n", OP_RR("rem", MIN, -1L));
    pr("div 7/0 = %lx\n", OP_RR("div", 7, 0));
    pr("divu 7/0 = %lx\n", OP_RR("divu", 7, 0));
    pr("rem 7/0 = %lx\n", OP_RR("rem", 7, 0));
    pr("remu -7/0 = %lx\n", OP_RR("remu", -7L, 0));
    pr("divw MIN32/-1 = %lx\n", OP_RR("divw", MIN32, -1L));
    pr("remw MIN32/-1 = %lx\n", OP_RR("remw", MIN32, -1L));
    pr("divw upper bits ignored = %lx\n", OP_RR("divw", 0x1234567880000000UL, 0xabcdef00ffffffffUL));
    pr("divw 7/0 = %lx\n", OP_RR("divw", 7, 0));
    pr("divuw 7/0 = %lx\n", OP_RR("divuw", 7, 0));
    pr("remw -7/0 = %lx\n", OP_RR("remw", -7L, 0));
    pr("remuw 0x80000007/0 = %lx\n", OP_RR("remuw", 0x80000007UL, 0));
    pr("div -7/2 = %lx rem = %lx\n", OP_RR("div", -7L, 2), OP_RR("rem", -7L, 2));
    pr("div 7/-2 = %lx rem = %lx\n", OP_RR("div", 7, -2L), OP_RR("rem", 7, -2L));
    pr("mulh MIN*MIN = %lx mulhu = %lx mulhsu = %lx\n", OP_RR("mulh", MIN, MIN),
       OP_RR("mulhu", MIN, MIN), OP_RR("mulhsu", MIN, MIN));
    pr("mulhsu -1*max = %lx\n", OP_RR("mulhsu", -1L, -1L));
    pr("mulw sign = %lx\n", OP_RR("mulw", 0x10000, 0x8000));
    pr("DONE rvm\n");
    return 0;
}
