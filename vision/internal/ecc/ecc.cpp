#include <vector>

#include <opencv2/imgproc.hpp>
#include <opencv2/video.hpp>

#include "ecc.h"

double ECC_Align(void* tmpl, void* input, float* warp, int levels, int iters, double eps, int gauss) {
    try {
        cv::TermCriteria crit(cv::TermCriteria::COUNT | cv::TermCriteria::EPS, iters, eps);
        std::vector<cv::Mat> tp{*static_cast<cv::Mat*>(tmpl)}, ip{*static_cast<cv::Mat*>(input)};
        for (int l = 1; l < levels; l++) {
            cv::Mat t, i;
            cv::pyrDown(tp.back(), t);
            cv::pyrDown(ip.back(), i);
            tp.push_back(t);
            ip.push_back(i);
        }
        cv::Mat w(3, 3, CV_32F, warp);
        // Level l sees pixel coordinates 2^-l of the finest's: its warp is
        // D·H·D⁻¹ with D = diag(2^-l, 2^-l, 1).
        float s = 1.0f / float(1 << (levels - 1));
        cv::Mat D = (cv::Mat_<float>(3, 3) << s, 0, 0, 0, s, 0, 0, 0, 1);
        cv::Mat cur = D * w * D.inv();
        cv::Mat up = (cv::Mat_<float>(3, 3) << 2, 0, 0, 0, 2, 0, 0, 0, 1);
        double rho = -2;
        for (int l = levels - 1; l >= 0; l--) {
            cv::Mat keep = cur.clone();
            try {
                rho = cv::findTransformECC(tp[l], ip[l], cur, cv::MOTION_HOMOGRAPHY, crit, cv::noArray(), gauss);
            } catch (const cv::Exception&) {
                // A coarse level that diverges leaves the start to the
                // finer ones; the finest must converge.
                keep.copyTo(cur);
                rho = -2;
            }
            if (l > 0) {
                cur = up * cur * up.inv();
            }
        }
        cur.copyTo(w);
        return rho;
    } catch (const cv::Exception&) {
        return -2;
    }
}
