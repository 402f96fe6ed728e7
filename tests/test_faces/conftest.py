"""Real photos that installed packages ship, for the face backends."""
import cv2
import pytest


@pytest.fixture(scope='session')
def photos():
    """scikit-image's astronaut (Eileen Collins) and matplotlib's Grace
    Hopper, both public domain, as BGR images."""
    import matplotlib.cbook as cbook
    from skimage import data
    astronaut = cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)
    hopper = cv2.imread(
        cbook.get_sample_data('grace_hopper.jpg', asfileobj=False))
    return {'astronaut': astronaut, 'grace_hopper': hopper}


@pytest.fixture(scope='session')
def landmarks(photos):
    """dlib's 68 landmarks in each photo's best HOG box."""
    from fbp_mm.faces import DlibLandmarkPredictor, build_face_detector
    detector = build_face_detector(dict(type='DlibHogFace'))
    predictor = DlibLandmarkPredictor()
    return {
        name: predictor.predict(img, detector.detect(img)[0])
        for name, img in photos.items()
    }
