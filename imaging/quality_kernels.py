"""The compiled loop of `imaging.quality`: the sums of the five second differences the
sharpness figures are read from, apart from it so that importing numba is paid by the first
photo measured, not by every program that imports the imaging package (as
`imaging.resample_kernels`).

numba compiles it on first use (`cache=True` keeps the machine code beside this module); the
photo workers' fork server loads it before it forks (imaging.worker_preload).
"""

import numba
import numpy as np


@numba.njit(cache=True, nogil=True, boundscheck=False)
def second_difference_sums(grey: np.ndarray, sums: np.ndarray) -> None:
    """sums[2k] and sums[2k + 1]: the sum and the sum of squares, over every interior pixel
    of 8-bit `grey` (the one-pixel rim left out), of second difference k: along rows, along
    columns, along the diagonal, along the antidiagonal, and the Laplacian (rows + columns).
    Integers throughout, so exact. A row's differences are made in one loop, then each is
    summed in a loop of its own: plain loops over one array, which the compiler vectorises
    (one loop doing all ten sums runs at a third of the speed)."""
    rows, columns = grey.shape
    n = max(columns - 2, 0)
    along_rows = np.empty(n, np.int32)
    along_columns = np.empty(n, np.int32)
    diagonal = np.empty(n, np.int32)
    antidiagonal = np.empty(n, np.int32)
    sums[:] = 0
    for r in range(1, rows - 1):
        up, mid, down = grey[r - 1], grey[r], grey[r + 1]
        for c in range(n):
            centre = np.int32(2) * np.int32(mid[c + 1])
            along_rows[c] = np.int32(mid[c]) + np.int32(mid[c + 2]) - centre
            along_columns[c] = np.int32(up[c + 1]) + np.int32(down[c + 1]) - centre
            diagonal[c] = np.int32(up[c]) + np.int32(down[c + 2]) - centre
            antidiagonal[c] = np.int32(up[c + 2]) + np.int32(down[c]) - centre
        s0 = q0 = s1 = q1 = s2 = q2 = s3 = q3 = s4 = q4 = np.int64(0)
        for c in range(n):
            s0 += along_rows[c]
            q0 += along_rows[c] * along_rows[c]
        for c in range(n):
            s1 += along_columns[c]
            q1 += along_columns[c] * along_columns[c]
        for c in range(n):
            s2 += diagonal[c]
            q2 += diagonal[c] * diagonal[c]
        for c in range(n):
            s3 += antidiagonal[c]
            q3 += antidiagonal[c] * antidiagonal[c]
        for c in range(n):
            laplacian = along_rows[c] + along_columns[c]
            s4 += laplacian
            q4 += laplacian * laplacian
        sums[0] += s0
        sums[1] += q0
        sums[2] += s1
        sums[3] += q1
        sums[4] += s2
        sums[5] += q2
        sums[6] += s3
        sums[7] += q3
        sums[8] += s4
        sums[9] += q4
